using System.Diagnostics.CodeAnalysis;

namespace Wharf.Storage.AzureBlob;

/// <summary>The parts of a storage connection string the Blob backend uses.</summary>
internal sealed record AzureBlobConnectionString(Uri BlobEndpoint, string AccountName, string? AccountKey, string? SasToken)
{
    /// <summary>Azurite's (and the old emulator's) well-known development account.</summary>
    internal const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The development account's published key (not a secret: it is the same on every machine).</summary>
    internal const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Parses a connection string; the error never quotes it (it holds a secret).</summary>
    public static bool TryParse(string connectionString, [NotNullWhen(true)] out AzureBlobConnectionString? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "each setting must be 'Key=Value', separated by ';'.";
                return false;
            }

            // Values (keys, SAS tokens) may hold '=': only the first one separates.
            if (!settings.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim()))
            {
                error = $"the setting '{part[..equals].Trim()}' appears twice.";
                return false;
            }
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out string? development) && string.Equals(development, "true", StringComparison.OrdinalIgnoreCase))
        {
            string proxy = settings.TryGetValue("DevelopmentStorageProxyUri", out string? p) ? p.TrimEnd('/') : "http://127.0.0.1";
            if (!Uri.TryCreate(proxy, UriKind.Absolute, out Uri? proxyUri))
            {
                error = "DevelopmentStorageProxyUri is not an absolute URL.";
                return false;
            }

            var endpoint = new UriBuilder(proxyUri) { Port = 10000, Path = DevelopmentAccountName }.Uri;
            result = new AzureBlobConnectionString(endpoint, DevelopmentAccountName, DevelopmentAccountKey, null);
            error = null;
            return true;
        }

        settings.TryGetValue("AccountName", out string? account);
        settings.TryGetValue("AccountKey", out string? key);
        settings.TryGetValue("SharedAccessSignature", out string? sas);
        Uri? blobEndpoint = null;
        if (settings.TryGetValue("BlobEndpoint", out string? explicitEndpoint))
        {
            if (!Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out blobEndpoint) || blobEndpoint.Scheme is not ("http" or "https"))
            {
                error = "BlobEndpoint is not an absolute http(s) URL.";
                return false;
            }
        }
        else if (account is not null)
        {
            string protocol = settings.TryGetValue("DefaultEndpointsProtocol", out string? given) ? given.ToLowerInvariant() : "https";
            string suffix = settings.TryGetValue("EndpointSuffix", out string? s) ? s.Trim('.') : "core.windows.net";
            if (protocol is not ("http" or "https"))
            {
                error = "DefaultEndpointsProtocol must be 'https' or 'http'.";
                return false;
            }

            if (!Uri.TryCreate($"{protocol}://{account}.blob.{suffix}", UriKind.Absolute, out blobEndpoint))
            {
                error = "AccountName and EndpointSuffix do not make a URL.";
                return false;
            }
        }
        else
        {
            error = "it names neither an account (AccountName) nor an endpoint (BlobEndpoint), nor UseDevelopmentStorage=true.";
            return false;
        }

        account ??= AccountNameFromEndpoint(blobEndpoint);
        if (account is null)
        {
            error = "the account name cannot be read from BlobEndpoint; add AccountName.";
            return false;
        }

        if (key is null && sas is null)
        {
            error = "it holds no credential (AccountKey or SharedAccessSignature).";
            return false;
        }

        if (key is not null && sas is not null)
        {
            error = "it holds both AccountKey and SharedAccessSignature; keep one.";
            return false;
        }

        if (key is not null && !AzureBlobStorageOptions.IsBase64(key))
        {
            error = "its AccountKey is not base64 (copy the key from the account's 'Access keys').";
            return false;
        }

        result = new AzureBlobConnectionString(blobEndpoint, account, key, sas);
        error = null;
        return true;
    }

    /// <summary>
    /// The account in an endpoint: the first label of <c>{account}.blob.{suffix}</c>, or, for emulators and IP
    /// addresses (path-style, <c>http://127.0.0.1:10000/devstoreaccount1</c>), the first path segment.
    /// </summary>
    public static string? AccountNameFromEndpoint(Uri endpoint)
    {
        if (IsPathStyle(endpoint))
        {
            string first = endpoint.AbsolutePath.Trim('/').Split('/')[0];
            return first.Length > 0 ? first : null;
        }

        int dot = endpoint.Host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? endpoint.Host[..dot] : null;
    }

    /// <summary>Endpoints that carry the account in the path rather than the host (emulators, IPs, localhost).</summary>
    public static bool IsPathStyle(Uri endpoint) =>
        endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || endpoint.IsLoopback
        || !endpoint.Host.Contains('.', StringComparison.Ordinal);
}
