using System.Net;
using Amazon.Runtime;

namespace Wharf.Benchmarks;

/// <summary>
/// An HTTP stack for the AWS SDK that records every request it sends: an <see cref="HttpClientFactory"/> whose
/// <see cref="HttpClient"/> has a <see cref="DelegatingHandler"/> in front of a plain <see cref="HttpClientHandler"/>.
/// Each HTTP exchange is one entry, so a request the SDK retries counts twice.
/// </summary>
internal sealed class S3RequestCounter : HttpClientFactory
{
    private readonly List<S3RecordedRequest> _requests = [];
    private readonly Lock _lock = new();

    /// <summary>The requests sent since the last <see cref="Reset"/>.</summary>
    public IReadOnlyList<S3RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Forgets the requests recorded so far.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    /// <inheritdoc/>
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        // As the SDK's own client: no redirects followed, no decompression, no cookies; the SDK applies timeouts.
        var inner = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        return new HttpClient(new CountingHandler(this, inner)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    /// <inheritdoc/>
    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <inheritdoc/>
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

    private void Record(S3RecordedRequest request)
    {
        lock (_lock)
        {
            _requests.Add(request);
        }
    }

    private sealed class CountingHandler(S3RequestCounter counter, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }

            if (request.Content is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
                {
                    headers[header.Key] = string.Join(", ", header.Value);
                }
            }

            HttpStatusCode? status = null;
            try
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
                status = response.StatusCode;
                return response;
            }
            finally
            {
                counter.Record(new S3RecordedRequest(request.Method.Method, request.RequestUri?.PathAndQuery ?? string.Empty, status, headers));
            }
        }
    }
}

/// <summary>One HTTP exchange: method, path and query, response status (null when no response came), request headers.</summary>
internal sealed record S3RecordedRequest(string Method, string PathAndQuery, HttpStatusCode? Status, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>Method, path with the query's first parameter name, status: <c>PUT /bucket/key?uploadId → 200</c>.</summary>
    public string Describe(string bucket)
    {
        string path = PathAndQuery.Replace("/" + bucket, string.Empty, StringComparison.Ordinal);
        int query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            string parameters = string.Join('&', path[(query + 1)..].Split('&').Select(p => p.Split('=')[0]));
            path = path[..query] + "?" + parameters;
        }

        return $"{Method} {path} → {(Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response")}";
    }
}
