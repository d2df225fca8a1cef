using System.Globalization;
using System.Text;

namespace Wharf.Storage.AzureBlob.Internal;

/// <summary>
/// Builds read-only blob SAS query strings: a service SAS signed with the account key, or a user-delegation SAS
/// signed with a key obtained through Microsoft Entra ID. The string-to-sign is the one for signed versions from
/// 2020-12-06 up to (not including) 2025-07-05; <see cref="Version"/> stays in that range.
/// </summary>
internal static class BlobSas
{
    public const string Version = BlobRestClient.ServiceVersion;

    public static string ForServiceKey(string accountName, string container, string blobName, byte[] accountKey, SasParameters parameters)
    {
        string expiry = Format(parameters.ExpiresOn);
        string stringToSign = string.Join('\n',
            parameters.Permissions,
            string.Empty, // st: none, so clock skew between hosts cannot make a fresh URL "not yet valid".
            expiry,
            CanonicalResource(accountName, container, blobName),
            string.Empty, // si
            string.Empty, // sip
            string.Empty, // spr: both, so emulators on http work; the endpoint's own scheme decides.
            Version,
            "b",
            string.Empty, // snapshot time
            string.Empty, // ses
            string.Empty, // rscc
            parameters.ContentDisposition ?? string.Empty,
            string.Empty, // rsce
            string.Empty, // rscl
            parameters.ContentType ?? string.Empty);
        return Query(parameters, expiry, SharedKeyPolicy.Sign(stringToSign, accountKey), delegation: null);
    }

    public static string ForUserDelegation(string accountName, string container, string blobName, UserDelegationKey key, SasParameters parameters)
    {
        string expiry = Format(parameters.ExpiresOn);
        string stringToSign = string.Join('\n',
            parameters.Permissions,
            string.Empty,
            expiry,
            CanonicalResource(accountName, container, blobName),
            key.ObjectId,
            key.TenantId,
            key.SignedStart,
            key.SignedExpiry,
            key.Service,
            key.SignedVersion,
            string.Empty, // saoid
            string.Empty, // suoid
            string.Empty, // scid
            string.Empty, // sip
            string.Empty, // spr
            Version,
            "b",
            string.Empty, // snapshot time
            string.Empty, // ses
            string.Empty, // rscc
            parameters.ContentDisposition ?? string.Empty,
            string.Empty, // rsce
            string.Empty, // rscl
            parameters.ContentType ?? string.Empty);
        return Query(parameters, expiry, SharedKeyPolicy.Sign(stringToSign, Convert.FromBase64String(key.Value)), key);
    }

    private static string CanonicalResource(string accountName, string container, string blobName) =>
        $"/blob/{accountName}/{container}/{blobName}";

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Query(SasParameters parameters, string expiry, string signature, UserDelegationKey? delegation)
    {
        var query = new StringBuilder(256);
        Append(query, "sv", Version);
        Append(query, "se", expiry);
        Append(query, "sr", "b");
        Append(query, "sp", parameters.Permissions);
        if (delegation is not null)
        {
            Append(query, "skoid", delegation.ObjectId);
            Append(query, "sktid", delegation.TenantId);
            Append(query, "skt", delegation.SignedStart);
            Append(query, "ske", delegation.SignedExpiry);
            Append(query, "sks", delegation.Service);
            Append(query, "skv", delegation.SignedVersion);
        }

        if (parameters.ContentDisposition is { } disposition)
        {
            Append(query, "rscd", disposition);
        }

        if (parameters.ContentType is { } type)
        {
            Append(query, "rsct", type);
        }

        Append(query, "sig", signature);
        return query.ToString();
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}

/// <summary>What a SAS grants: permissions (<c>r</c>, <c>cw</c>…), expiry and response header overrides.</summary>
internal sealed record SasParameters(string Permissions, DateTimeOffset ExpiresOn, string? ContentDisposition = null, string? ContentType = null);

/// <summary>A user delegation key (Get User Delegation Key), with the values a SAS repeats.</summary>
internal sealed record UserDelegationKey(string ObjectId, string TenantId, string SignedStart, string SignedExpiry, string Service, string SignedVersion, string Value)
{
    public DateTimeOffset ExpiresOn => DateTimeOffset.Parse(SignedExpiry, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
