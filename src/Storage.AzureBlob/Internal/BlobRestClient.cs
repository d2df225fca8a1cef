using System.Globalization;
using System.Text;
using System.Xml;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Wharf.Storage.AzureBlob.Internal;

/// <summary>
/// The few Blob service REST operations the storage needs, over an Azure.Core pipeline (which brings retries,
/// logging and authentication). Every method returns the raw <see cref="Response"/> or throws
/// <see cref="RequestFailedException"/> (with Azure's error code) for answers the caller does not interpret.
/// </summary>
internal sealed class BlobRestClient(HttpPipeline pipeline, Uri serviceUri, string container)
{
    /// <summary>The service version sent as <c>x-ms-version</c> and signed into SAS URLs.</summary>
    public const string ServiceVersion = "2025-01-05";

    private readonly string _serviceRoot = serviceUri.AbsoluteUri.TrimEnd('/');
    private readonly string _containerRoot = serviceUri.AbsoluteUri.TrimEnd('/') + "/" + container;

    public HttpPipeline Pipeline => pipeline;

    public string Container => container;

    public Uri ServiceUri => serviceUri;

    /// <summary>The blob's URL: each path segment percent-encoded (RFC 3986 unreserved characters stay), '/' kept.</summary>
    public Uri GetBlobUri(string blobName) => new(_containerRoot + "/" + EscapePath(blobName));

    public static string EscapePath(string blobName) => StorageUrls.AppendEscapedName(new StringBuilder(blobName.Length + 16), blobName).ToString();

    public HttpMessage CreateMessage(RequestMethod method, Uri uri)
    {
        HttpMessage message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.SetValue("x-ms-version", ServiceVersion);
        return message;
    }

    public HttpMessage CreateBlobMessage(RequestMethod method, string blobName, string? query = null) =>
        CreateMessage(method, query is null ? GetBlobUri(blobName) : new Uri(GetBlobUri(blobName) + "?" + query));

    public HttpMessage CreateContainerMessage(RequestMethod method, string query) =>
        CreateMessage(method, new Uri(_containerRoot + "?" + query));

    public async ValueTask<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Azure.Core ends a try that exceeds Retry.NetworkTimeout with a TaskCanceledException: the caller did not
            // cancel, the server did not answer in time.
            throw new TimeoutException(exception.Message, exception);
        }

        return message.Response;
    }

    /// <summary>Sends and returns the response when its status is one of <paramref name="accepted"/>; throws otherwise.</summary>
    public async ValueTask<Response> SendExpectingAsync(HttpMessage message, CancellationToken cancellationToken, params int[] accepted)
    {
        Response response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (Array.IndexOf(accepted, response.Status) < 0)
        {
            throw await CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public static string? ErrorCode(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out string? code) ? code : null;

    /// <summary>An exception for an error answer, with Azure's error code and message (read from the body, at most 16 KiB).</summary>
    public static async ValueTask<RequestFailedException> CreateFailureAsync(Response response, CancellationToken cancellationToken)
    {
        string? code = ErrorCode(response);
        string? detail = null;
        try
        {
            Stream? body = response.ContentStream;
            if (body is not null)
            {
                byte[] buffer = new byte[16 * 1024];
                int filled = 0;
                int read;
                while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                (string? bodyCode, detail) = ParseError(buffer.AsSpan(0, filled));
                code ??= bodyCode;
            }
        }
        catch (Exception exception) when (exception is IOException or XmlException or ObjectDisposedException)
        {
            // The status and the header code are enough.
        }

        string message = $"{response.Status} {response.ReasonPhrase}" + (code is null ? string.Empty : $" ({code})") + (detail is null ? string.Empty : $": {detail}");
        return new RequestFailedException(response.Status, message, code, null);
    }

    private static (string? Code, string? Message) ParseError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        string text = Encoding.UTF8.GetString(body);
        int start = text.IndexOf('<', StringComparison.Ordinal);
        if (start < 0)
        {
            return (null, text.Trim());
        }

        using var reader = XmlReader.Create(new StringReader(text[start..]), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true });
        string? code = null;
        string? message = null;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Name == "Code")
            {
                code = reader.ReadElementContentAsString();
            }

            if (reader.NodeType == XmlNodeType.Element && reader.Name == "Message")
            {
                // The service appends request ids and a time on further lines; the first line is the message.
                message = reader.ReadElementContentAsString().Split('\n')[0].Trim();
            }
        }

        return (code, message);
    }

    /// <summary>List Blobs: one page, parsed with a streaming reader into <paramref name="page"/>.</summary>
    public async ValueTask<string?> ListBlobsAsync(string prefix, string? delimiter, string? marker, int maxResults, BlobListPage page, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("restype=container&comp=list&maxresults=").Append(maxResults.ToString(CultureInfo.InvariantCulture));
        if (prefix.Length > 0)
        {
            query.Append("&prefix=").Append(Uri.EscapeDataString(prefix));
        }

        if (delimiter is not null)
        {
            query.Append("&delimiter=").Append(Uri.EscapeDataString(delimiter));
        }

        if (marker is not null)
        {
            query.Append("&marker=").Append(Uri.EscapeDataString(marker));
        }

        using HttpMessage message = CreateContainerMessage(RequestMethod.Get, query.ToString());
        message.BufferResponse = false;
        Response response = await SendExpectingAsync(message, cancellationToken, 200).ConfigureAwait(false);
        using Stream body = response.ContentStream ?? Stream.Null;
        return await ListBlobsParser.ParseAsync(body, page, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Get User Delegation Key (needs a bearer token): a key to sign user-delegation SAS URLs with.</summary>
    public async ValueTask<UserDelegationKey> GetUserDelegationKeyAsync(DateTimeOffset start, DateTimeOffset expiry, CancellationToken cancellationToken)
    {
        using HttpMessage message = CreateMessage(RequestMethod.Post, new Uri(_serviceRoot + "/?restype=service&comp=userdelegationkey"));
        string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo><Start>" + FormatTime(start) + "</Start><Expiry>" + FormatTime(expiry) + "</Expiry></KeyInfo>";
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body));
        Response response = await SendExpectingAsync(message, cancellationToken, 200).ConfigureAwait(false);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(response.ContentStream ?? Stream.Null, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true, Async = true });
        await reader.MoveToContentAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
            {
                // Reading the content moves to the next node, so no extra Read here.
                values[reader.Name] = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
            }
            else
            {
                await reader.ReadAsync().ConfigureAwait(false);
            }
        }

        string Get(string name) => values.TryGetValue(name, out string? value) ? value : throw new RequestFailedException(200, $"The user delegation key answer has no {name}.", "InvalidResponse", null);
        return new UserDelegationKey(Get("SignedOid"), Get("SignedTid"), Get("SignedStart"), Get("SignedExpiry"), Get("SignedService"), Get("SignedVersion"), Get("Value"));
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>One page of List Blobs: the blobs and the folder prefixes, each in the service's order.</summary>
internal sealed class BlobListPage
{
    public List<BlobListItem> Blobs { get; } = [];

    public List<string> Prefixes { get; } = [];

    public void Clear()
    {
        Blobs.Clear();
        Prefixes.Clear();
    }
}

internal readonly record struct BlobListItem(string Name, long Length, DateTimeOffset? LastModified, string? ETag);

/// <summary>Reads List Blobs XML with a forward-only reader (no DOM), page by page.</summary>
internal static class ListBlobsParser
{
    private static readonly XmlReaderSettings Settings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        XmlResolver = null,
    };

    /// <summary>Fills <paramref name="page"/>; returns the next marker, or null on the last page.</summary>
    public static async ValueTask<string?> ParseAsync(Stream body, BlobListPage page, CancellationToken cancellationToken)
    {
        string? nextMarker = null;
        using XmlReader reader = XmlReader.Create(body, Settings);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (reader.Name)
            {
                case "Blob":
                    page.Blobs.Add(await ReadBlobAsync(reader).ConfigureAwait(false));
                    break;
                case "BlobPrefix":
                    page.Prefixes.Add(await ReadPrefixAsync(reader).ConfigureAwait(false));
                    break;
                case "NextMarker":
                    string marker = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    nextMarker = marker.Length > 0 ? marker : null;
                    break;
            }
        }

        return nextMarker;
    }

    private static async ValueTask<string> ReadNameAsync(XmlReader reader)
    {
        // Names with characters XML cannot carry come percent-encoded, flagged Encoded="true".
        bool encoded = string.Equals(reader.GetAttribute("Encoded"), "true", StringComparison.OrdinalIgnoreCase);
        string name = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
        return encoded ? Uri.UnescapeDataString(name) : name;
    }

    private static async ValueTask<string> ReadPrefixAsync(XmlReader reader)
    {
        int depth = reader.Depth;
        string name = string.Empty;
        if (reader.IsEmptyElement)
        {
            return name;
        }

        while (await reader.ReadAsync().ConfigureAwait(false) && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Name == "Name" && reader.Depth == depth + 1)
            {
                name = await ReadNameAsync(reader).ConfigureAwait(false);
                if (reader.Depth <= depth)
                {
                    break;
                }
            }
        }

        return name;
    }

    private static async ValueTask<BlobListItem> ReadBlobAsync(XmlReader reader)
    {
        int depth = reader.Depth;
        string name = string.Empty;
        long length = 0;
        DateTimeOffset? modified = null;
        string? etag = null;
        if (reader.IsEmptyElement)
        {
            return new BlobListItem(name, length, modified, etag);
        }

        await reader.ReadAsync().ConfigureAwait(false);
        while (reader.Depth > depth)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                await reader.ReadAsync().ConfigureAwait(false);
                continue;
            }

            switch (reader.Name)
            {
                case "Name" when reader.Depth == depth + 1:
                    name = await ReadNameAsync(reader).ConfigureAwait(false);
                    break;
                case "Content-Length":
                    length = long.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
                    break;
                case "Last-Modified":
                    modified = DateTimeOffset.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    break;
                case "Etag":
                    etag = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                default:
                    if (reader.IsEmptyElement || reader.Depth > depth + 1 || reader.Name == "Properties" || reader.Name == "Metadata")
                    {
                        // Step into containers (Properties) and over empty elements.
                        await reader.ReadAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        await reader.SkipAsync().ConfigureAwait(false);
                    }

                    break;
            }
        }

        return new BlobListItem(name, length, modified, etag);
    }
}
