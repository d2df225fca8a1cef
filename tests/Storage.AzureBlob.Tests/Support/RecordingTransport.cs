using System.Collections.Concurrent;
using Azure.Core.Pipeline;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>
/// An Azure.Core transport of one storage's own (an <see cref="HttpClient"/> with connections of its own) that records
/// every request it sends, as <c>METHOD /path?query</c>: the requests counted here are the ones that reach the wire,
/// each retry included.
/// </summary>
internal sealed class RecordingTransport : IDisposable
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly HttpClient _client;

    public RecordingTransport()
    {
        _client = new HttpClient(new RecordingHandler(_requests, new SocketsHttpHandler()))
        {
            // Azure.Core's NetworkTimeout governs each try; the client itself must not cut a long upload.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Transport = new HttpClientTransport(_client);
    }

    /// <summary>The transport to set as <see cref="Azure.Core.ClientOptions.Transport"/>.</summary>
    public HttpClientTransport Transport { get; }

    /// <summary>The requests sent since the last <see cref="Clear"/>, in the order they were sent.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public void Clear() => _requests.Clear();

    public void Dispose() => _client.Dispose();

    private sealed class RecordingHandler(ConcurrentQueue<string> requests, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue($"{request.Method.Method} {request.RequestUri?.AbsolutePath}{request.RequestUri?.Query}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
