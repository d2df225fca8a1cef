namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// The real Azure Blob service the tests use (Azurite, started by eng/servers/azurite/start.sh), found through the
/// <c>WHARF_AZURE_*</c> environment variables that eng/test.sh exports. Without them every test fails with a message
/// that says how to start the server: Azure tests never skip.
/// </summary>
internal static class AzuriteServer
{
    public static string Endpoint => Require("WHARF_AZURE_ENDPOINT");

    public static string AccountName => Environment.GetEnvironmentVariable("WHARF_AZURE_ACCOUNT") ?? "devstoreaccount1";

    public static string AccountKey => Require("WHARF_AZURE_KEY");

    public static Uri EndpointUri => new(Endpoint);

    /// <summary>Options for a storage in <paramref name="container"/> on the test server (SharedKey).</summary>
    public static AzureBlobStorageOptions Options(string container, string? location = null) => new()
    {
        Container = container,
        Location = location,
        ServiceUri = Endpoint,
        AccountName = AccountName,
        AccountKey = AccountKey,
    };

    /// <summary>A fresh container on the test server.</summary>
    public static async Task<string> CreateContainerAsync(CancellationToken cancellationToken, AzureBlobPublicAccess access = AzureBlobPublicAccess.None)
    {
        string container = "wharf-" + Guid.NewGuid().ToString("N")[..20];
        await using var storage = new AzureBlobStorage("azurite-admin", Options(container));
        await storage.CreateContainerAsync(access, cancellationToken);
        return container;
    }

    /// <summary>Deletes a container and everything in it.</summary>
    public static async Task DeleteContainerAsync(string container)
    {
        await using var storage = new AzureBlobStorage("azurite-admin", Options(container));
        using Azure.Core.HttpMessage message = storage.Rest.CreateContainerMessage(Azure.Core.RequestMethod.Delete, "restype=container");
        await storage.Rest.SendAsync(message, CancellationToken.None);
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: the Azure tests need Azurite. Run them through eng/test.sh, which installs and starts it, " +
                "or start it by hand with eng/servers/azurite/install.sh and start.sh, then source artifacts/servers/azurite/env.");
}
