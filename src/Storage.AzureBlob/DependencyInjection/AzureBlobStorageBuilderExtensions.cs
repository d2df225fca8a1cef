using Azure.Core;
using Microsoft.Extensions.Logging;
using Wharf.Storage.AzureBlob;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Azure Blob backend on the storage builder.</summary>
public static class AzureBlobStorageBuilderExtensions
{
    /// <summary>
    /// Registers the <c>AzureBlob</c> backend, so configured storages can use <c>Backend: AzureBlob</c>. Idempotent.
    /// A storage configured with neither a key, a SAS nor a connection string authenticates with the host's
    /// <see cref="TokenCredential"/> (keyed by the storage's name, or unkeyed), such as Azure.Identity's
    /// <c>DefaultAzureCredential</c> or a <c>ManagedIdentityCredential</c>.
    /// </summary>
    public static WharfStorageBuilder AddAzureBlob(this WharfStorageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackend<AzureBlobStorageOptions>(
            AzureBlobStorage.BackendId,
            static (services, name, options) => new AzureBlobStorage(
                name,
                options,
                services.GetKeyedService<TokenCredential>(name) ?? services.GetService<TokenCredential>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<AzureBlobStorage>()),
            AzureBlobCredentialValidator.Validate);
    }

    /// <summary>Registers the backend and defines an Azure Blob storage.</summary>
    public static WharfStorageBuilder AddAzureBlob(this WharfStorageBuilder builder, string name, Action<AzureBlobStorageOptions>? configure = null) =>
        builder.AddAzureBlob().AddStorage(name, AzureBlobStorage.BackendId, configure);
}
