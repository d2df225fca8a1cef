using Azure.Core;
using Wharf.Storage;
using Wharf.Storage.AzureBlob;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The start-up check options alone cannot make: a storage with no key, SAS or connection string needs a
/// <see cref="TokenCredential"/> from the host's services. Without one the host fails to start, naming the storage's
/// key under its real configuration section, instead of failing at the first request.
/// </summary>
internal static class AzureBlobCredentialValidator
{
    /// <summary>The backend's check, for <see cref="WharfStorageBuilder.AddBackend{TOptions}(string, Func{IServiceProvider, string, TOptions, IStorage}, Action{StorageValidationContext, TOptions})"/>.</summary>
    public static void Validate(StorageValidationContext context, AzureBlobStorageOptions options)
    {
        if (options.ConnectionString is not null || options.AccountKey is not null || options.SasToken is not null)
        {
            return;
        }

        IServiceProvider services = context.Services;
        if (options.Credential is null && services.GetKeyedService<TokenCredential>(context.StorageName) is null && services.GetService<TokenCredential>() is null)
        {
            context.Errors.Add(nameof(AzureBlobStorageOptions.AccountKey),
                "no credential is configured: set ConnectionString, AccountKey or SasToken, or register a TokenCredential service (keyed by the storage's name, or unkeyed), " +
                "such as Azure.Identity's DefaultAzureCredential for managed identity.");
            return;
        }

        // The storage will send bearer tokens, which only go over TLS.
        if (options.ServiceUri is { } serviceUri && Uri.TryCreate(serviceUri, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme != Uri.UriSchemeHttps)
        {
            context.Errors.Add(nameof(AzureBlobStorageOptions.ServiceUri), $"'{serviceUri}' is not https: bearer tokens are only sent over TLS.");
        }
    }
}
