using System.Collections.Concurrent;
using System.Globalization;

namespace Wharf.Benchmarks;

/// <summary>
/// A handler in front of the benchmarks' <see cref="SocketsHttpHandler"/> (see
/// <see cref="AzureBenchServer.CreateHttpClient"/>) that records every HTTP exchange, below Azure.Core's pipeline:
/// a request Azure.Core retries counts twice.
/// </summary>
internal sealed class AzureRequestCounter : DelegatingHandler
{
    private readonly ConcurrentQueue<AzureRecordedRequest> _requests = new();

    /// <summary>The exchanges since the last <see cref="Take"/>, in the order they ended; forgets them.</summary>
    public IReadOnlyList<AzureRecordedRequest> Take()
    {
        var taken = new List<AzureRecordedRequest>();
        while (_requests.TryDequeue(out AzureRecordedRequest? request))
        {
            taken.Add(request);
        }

        return taken;
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Content headers (Content-Length, Content-Type) count as request headers here, as on the wire. Content-Length
        // is computed when the headers are written unless something asked for it before: ask now, so it is listed.
        _ = request.Content?.Headers.ContentLength;
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> sent = request.Content is null ? request.Headers : request.Headers.Concat(request.Content.Headers);
        var headers = sent.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            return response;
        }
        finally
        {
            _requests.Enqueue(new AzureRecordedRequest(request.Method.Method, request.RequestUri!, (int?)response?.StatusCode, headers));
        }
    }
}

/// <summary>One HTTP exchange: method, URL, response status (null when no response came), request headers.</summary>
internal sealed record AzureRecordedRequest(string Method, Uri Uri, int? Status, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>
    /// Method, blob path in the container with the query's parameter names, status, and the conditional header if
    /// any: <c>PUT /wharf/free.bin If-None-Match → 201</c>, <c>PUT /wharf/large.bin?comp&amp;blockid → 201</c>.
    /// </summary>
    public string Describe(string container)
    {
        string path = Uri.AbsolutePath;
        int at = path.IndexOf("/" + container, StringComparison.Ordinal);
        path = at < 0 ? path : path[(at + container.Length + 1)..];
        string query = Uri.Query.Length > 1
            ? "?" + string.Join('&', Uri.Query[1..].Split('&').Select(p => p.Split('=')[0]))
            : string.Empty;
        string condition = Headers.ContainsKey("If-None-Match") ? " If-None-Match: *" : Headers.ContainsKey("If-Match") ? " If-Match" : string.Empty;
        string status = Status?.ToString(CultureInfo.InvariantCulture) ?? "no response";
        return $"{Method} {path}{query}{condition} → {status}";
    }
}
