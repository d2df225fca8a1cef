using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Wharf.Storage.AzureBlob.Internal;

/// <summary>
/// Signs each attempt of a request with the account key (SharedKey): a fresh <c>x-ms-date</c>, then an HMAC-SHA256
/// over the verb, the standard headers, the canonical <c>x-ms-*</c> headers and the canonical resource. A per-retry
/// policy, so a retried request is signed again with a new date.
/// </summary>
internal sealed class SharedKeyPolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        Request request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        string stringToSign = BuildStringToSign(request, accountName);
        request.Headers.SetValue("Authorization", $"SharedKey {accountName}:{Sign(stringToSign, accountKey)}");
    }

    internal static string Sign(string stringToSign, byte[] key) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    internal static string BuildStringToSign(Request request, string accountName)
    {
        // Content-Length is empty for a zero-length body (service versions from 2015-02-21 on).
        string contentLength = request.Content is { } content && content.TryComputeLength(out long length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : string.Empty;
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method).Append('\n');
        AppendHeader(builder, request, "Content-Encoding");
        AppendHeader(builder, request, "Content-Language");
        builder.Append(contentLength).Append('\n');
        AppendHeader(builder, request, "Content-MD5");
        AppendHeader(builder, request, "Content-Type");
        builder.Append('\n'); // Date: x-ms-date is used instead.
        AppendHeader(builder, request, "If-Modified-Since");
        AppendHeader(builder, request, "If-Match");
        AppendHeader(builder, request, "If-None-Match");
        AppendHeader(builder, request, "If-Unmodified-Since");
        AppendHeader(builder, request, "Range");

        var msHeaders = new List<(string Name, string Value)>();
        foreach (HttpHeader header in request.Headers)
        {
            if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                msHeaders.Add((header.Name.ToLowerInvariant(), header.Value.Trim()));
            }
        }

        msHeaders.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach ((string name, string value) in msHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        Uri uri = request.Uri.ToUri();
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath);
        if (uri.Query.Length > 1)
        {
            var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string pair in uri.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                string name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
                string value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
                if (!parameters.TryGetValue(name, out List<string>? values))
                {
                    parameters[name] = values = [];
                }

                values.Add(value);
            }

            foreach ((string name, List<string> values) in parameters)
            {
                values.Sort(StringComparer.Ordinal);
                builder.Append('\n').Append(name).Append(':').AppendJoin(',', values);
            }
        }

        return builder.ToString();
    }

    private static void AppendHeader(StringBuilder builder, Request request, string name)
    {
        if (request.Headers.TryGetValue(name, out string? value))
        {
            builder.Append(value);
        }

        builder.Append('\n');
    }
}

/// <summary>Adds a SAS token's parameters to each request's query.</summary>
internal sealed class SasTokenPolicy(string sasToken) : HttpPipelineSynchronousPolicy
{
    private readonly string _token = sasToken.TrimStart('?');

    public override void OnSendingRequest(HttpMessage message)
    {
        RequestUriBuilder uri = message.Request.Uri;
        string query = uri.Query;
        if (!query.Contains("sig=", StringComparison.Ordinal))
        {
            uri.Query = query.Length > 1 ? $"{query}&{_token}" : $"?{_token}";
        }
    }
}
