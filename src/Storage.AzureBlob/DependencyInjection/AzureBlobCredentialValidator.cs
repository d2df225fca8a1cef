using Azure.Core;
using Microsoft.Extensions.Options;
using Wharf.Storage.AzureBlob;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The start-up check options alone cannot make: a storage with no key, SAS or connection string needs a
/// <see cref="TokenCredential"/> from the host's services. Without one the host fails to start, naming the storage,
/// instead of failing at the first request.
/// </summary>
internal sealed class AzureBlobCredentialValidator(IServiceProvider services) : IValidateOptions<AzureBlobStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureBlobStorageOptions options)
    {
        if (string.IsNullOrEmpty(name) || options.ConnectionString is not null || options.AccountKey is not null || options.SasToken is not null)
        {
            return ValidateOptionsResult.Skip;
        }

        if (options.Credential is null && services.GetKeyedService<TokenCredential>(name) is null && services.GetService<TokenCredential>() is null)
        {
            return ValidateOptionsResult.Fail(
                $"{WharfStorageKeyPath(name)}:AccountKey: no credential is configured: set ConnectionString, AccountKey or SasToken, " +
                "or register a TokenCredential service (keyed by the storage's name, or unkeyed), such as Azure.Identity's DefaultAzureCredential for managed identity.");
        }

        // The storage will send bearer tokens, which only go over TLS.
        return options.ServiceUri is { } serviceUri && Uri.TryCreate(serviceUri, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme != Uri.UriSchemeHttps
            ? ValidateOptionsResult.Fail($"{WharfStorageKeyPath(name)}:ServiceUri: '{serviceUri}' is not https: bearer tokens are only sent over TLS.")
            : ValidateOptionsResult.Skip;
    }

    private static string WharfStorageKeyPath(string name) => $"Wharf:Storages:{name}";
}
