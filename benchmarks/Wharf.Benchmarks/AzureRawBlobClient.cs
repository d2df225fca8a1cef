using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Benchmarks;

/// <summary>
/// The raw baseline of the Azure benchmarks: Blob REST calls made directly with <see cref="HttpClient"/> and signed
/// with a SharedKey signer of its own (written for the benchmarks, independent of Wharf's), with no pipeline, retry,
/// telemetry or logging layer. It also does the benchmarks' untimed housekeeping (containers, deletes).
/// </summary>
/// <remarks>
/// Every request carries <c>x-ms-version</c> (the version Wharf sends), <c>x-ms-date</c> and <c>Authorization</c>,
/// plus the headers of the operation; nothing else is added above <see cref="HttpClient"/>. Blob names are passed
/// already URL-safe (the benchmarks use <c>[a-z0-9/.-]</c> only).
/// </remarks>
internal sealed class AzureRawBlobClient(HttpClient http, string container)
{
    /// <summary>The <c>x-ms-version</c> Wharf's backend sends (its <c>BlobRestClient.ServiceVersion</c>).</summary>
    public const string ServiceVersion = "2025-01-05";

    /// <summary>The content type of the benchmarks' blobs: what Wharf infers for a <c>.bin</c> name.</summary>
    public const string ContentType = "application/octet-stream";

    // The headers of the string to sign between the verb and the canonical headers, in order. Date stays empty:
    // x-ms-date is sent instead (and signed as a canonical header).
    private static readonly string[] StandardHeaders =
        ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
         "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"];

    private readonly string _account = AzureBenchServer.AccountName;
    private readonly byte[] _key = Convert.FromBase64String(AzureBenchServer.AccountKey);
    private readonly string _containerUrl = AzureBenchServer.Endpoint + "/" + container;

    /// <summary>The container.</summary>
    public string Container => container;

    /// <summary>
    /// Put Blob of a block blob, as Wharf sends it for a save: <c>x-ms-blob-type: BlockBlob</c>,
    /// <c>x-ms-blob-content-type</c> and, unless <paramref name="ifNoneMatch"/> is false, <c>If-None-Match: *</c>.
    /// The body is <paramref name="content"/> from its current position to its end (<see cref="StreamContent"/>).
    /// </summary>
    /// <returns>201 (created) or, for a taken name, 409; any other answer throws.</returns>
    public async Task<HttpStatusCode> PutBlobAsync(string blobName, Stream content, bool ifNoneMatch = true)
    {
        // Not disposed: disposing the request would dispose the caller's stream (StreamContent owns it).
        var request = new HttpRequestMessage(HttpMethod.Put, BlobUri(blobName)) { Content = new StreamContent(content) };
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        request.Headers.TryAddWithoutValidation("x-ms-blob-content-type", ContentType);
        if (ifNoneMatch)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }

        using HttpResponseMessage response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, HttpStatusCode.Created, HttpStatusCode.Conflict);
        return response.StatusCode;
    }

    /// <summary>Get Blob, answered as soon as the headers are in: the caller reads the body (a 200) and disposes it.</summary>
    public Task<HttpResponseMessage> GetBlobAsync(string blobName) =>
        SendAsync(Create(HttpMethod.Get, BlobUri(blobName)), HttpCompletionOption.ResponseHeadersRead, HttpStatusCode.OK);

    /// <summary>Get Blob Properties (HEAD): true when the blob exists.</summary>
    public async Task<bool> ExistsAsync(string blobName)
    {
        using HttpResponseMessage response = await SendAsync(Create(HttpMethod.Head, BlobUri(blobName)), HttpCompletionOption.ResponseContentRead, HttpStatusCode.OK, HttpStatusCode.NotFound);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Put Block: stages one block of an upload.</summary>
    public async Task PutBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> block)
    {
        HttpRequestMessage request = Create(HttpMethod.Put, BlobUri(blobName, "comp=block&blockid=" + Uri.EscapeDataString(blockId)));
        request.Content = new ReadOnlyMemoryContent(block);
        (await SendAsync(request, HttpCompletionOption.ResponseContentRead, HttpStatusCode.Created)).Dispose();
    }

    /// <summary>Put Block List: commits the staged blocks, in order, as the blob (unconditionally).</summary>
    public async Task PutBlockListAsync(string blobName, IEnumerable<string> blockIds)
    {
        string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + string.Concat(blockIds.Select(id => $"<Latest>{id}</Latest>")) + "</BlockList>";
        HttpRequestMessage request = Create(HttpMethod.Put, BlobUri(blobName, "comp=blocklist"));
        request.Headers.TryAddWithoutValidation("x-ms-blob-content-type", ContentType);
        request.Content = new StringContent(body, Encoding.UTF8, "application/xml");
        (await SendAsync(request, HttpCompletionOption.ResponseContentRead, HttpStatusCode.Created)).Dispose();
    }

    /// <summary>Delete Blob; a missing blob is not an error.</summary>
    public async Task DeleteBlobAsync(string blobName) =>
        (await SendAsync(Create(HttpMethod.Delete, BlobUri(blobName)), HttpCompletionOption.ResponseContentRead, HttpStatusCode.Accepted, HttpStatusCode.NotFound)).Dispose();

    /// <summary>Deletes blobs, at most eight requests at a time.</summary>
    public Task DeleteBlobsAsync(IEnumerable<string> blobNames) =>
        Parallel.ForEachAsync(blobNames, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) => await DeleteBlobAsync(name));

    /// <summary>Create Container (private).</summary>
    public async Task CreateContainerAsync() =>
        (await SendAsync(Create(HttpMethod.Put, new Uri(_containerUrl + "?restype=container")), HttpCompletionOption.ResponseContentRead, HttpStatusCode.Created)).Dispose();

    /// <summary>Delete Container, with everything in it.</summary>
    public async Task DeleteContainerAsync() =>
        (await SendAsync(Create(HttpMethod.Delete, new Uri(_containerUrl + "?restype=container")), HttpCompletionOption.ResponseContentRead, HttpStatusCode.Accepted, HttpStatusCode.NotFound)).Dispose();

    private Uri BlobUri(string blobName, string? query = null) => new(_containerUrl + "/" + blobName + (query is null ? string.Empty : "?" + query));

    private static HttpRequestMessage Create(HttpMethod method, Uri uri) => new(method, uri);

    /// <summary>Signs and sends <paramref name="request"/>; a status outside <paramref name="expected"/> throws.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, params HttpStatusCode[] expected)
    {
        Sign(request);
        HttpResponseMessage response = await http.SendAsync(request, completion);
        if (Array.IndexOf(expected, response.StatusCode) < 0)
        {
            string body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            throw new HttpRequestException($"{request.Method} {request.RequestUri?.PathAndQuery} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}", null, response.StatusCode);
        }

        return response;
    }

    /// <summary>
    /// SharedKey (service version 2015-02-21 and later): sets <c>x-ms-version</c> and <c>x-ms-date</c>, then signs
    /// the verb, the standard headers (Content-Length empty for no body), the <c>x-ms-*</c> headers (lower-cased,
    /// sorted) and the canonical resource (<c>/account/path</c>, then each query parameter, sorted, as
    /// <c>name:value</c>) with HMAC-SHA256 under the account key.
    /// </summary>
    private void Sign(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("x-ms-version", ServiceVersion);
        request.Headers.TryAddWithoutValidation("x-ms-date", DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        var text = new StringBuilder(request.Method.Method);
        foreach (string header in StandardHeaders)
        {
            text.Append('\n').Append(header switch
            {
                "Content-Length" => request.Content?.Headers.ContentLength is > 0 and long length ? length.ToString(CultureInfo.InvariantCulture) : string.Empty,
                "Date" => string.Empty,
                _ => HeaderValue(request, header),
            });
        }

        foreach (string name in request.Headers.Select(h => h.Key.ToLowerInvariant()).Where(n => n.StartsWith("x-ms-", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            text.Append('\n').Append(name).Append(':').Append(HeaderValue(request, name).Trim());
        }

        Uri uri = request.RequestUri!;
        text.Append("\n/").Append(_account).Append(uri.AbsolutePath);
        var parameters = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Uri.UnescapeDataString(pair[0]).ToLowerInvariant(), Value: pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : string.Empty));
        foreach (IGrouping<string, string> parameter in parameters.GroupBy(p => p.Name, p => p.Value).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(parameter.Key).Append(':').AppendJoin(',', parameter.Order(StringComparer.Ordinal));
        }

        string signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text.ToString())));
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {_account}:{signature}");
    }

    private static string HeaderValue(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out IEnumerable<string>? values) || (request.Content?.Headers.TryGetValues(name, out values) ?? false)
            ? string.Join(",", values!)
            : string.Empty;
}
