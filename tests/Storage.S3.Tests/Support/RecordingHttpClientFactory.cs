using System.Collections.Concurrent;
using Amazon.Runtime;

namespace Wharf.Storage.S3.Tests.Support;

/// <summary>
/// An SDK <see cref="HttpClientFactory"/> that gives one service client an <see cref="HttpClient"/> of its own, which
/// records every request it sends (method and path), to count the round trips of each storage operation.
/// </summary>
/// <remarks>
/// Its own connections matter too: by default the SDK shares one cached <see cref="HttpClient"/> (and so one
/// connection pool) among all service clients with equal settings, and RGW leaves a keep-alive connection broken after
/// it refuses a PUT without reading its body (wrong signature, missing bucket); a client of its own keeps such a
/// broken connection away from every other client in the test process.
/// </remarks>
internal sealed class RecordingHttpClientFactory : HttpClientFactory, IDisposable
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Lock _gate = new();
    private HttpClient? _client;

    /// <summary>The requests sent since the last <see cref="Clear"/>, in order, as <c>METHOD /path</c>.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public void Clear() => _requests.Clear();

    /// <summary>The factory's one client, made on first use with the config's timeout (as the SDK's own factory does).</summary>
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        lock (_gate)
        {
            return _client ??= new HttpClient(new RecordingHandler(_requests, new SocketsHttpHandler()))
            {
                Timeout = clientConfig?.Timeout ?? TimeSpan.FromSeconds(100),
            };
        }
    }

    // The factory keeps its one client; the SDK neither caches nor disposes it.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose() => _client?.Dispose();

    private sealed class RecordingHandler(ConcurrentQueue<string> requests, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue($"{request.Method.Method} {request.RequestUri?.AbsolutePath}{request.RequestUri?.Query}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
