using System.Net;
using System.Net.Sockets;

namespace Wharf.Storage.S3.Tests.Support;

/// <summary>
/// A tiny TCP forwarder on 127.0.0.1 in front of the real server, to simulate an outage: <see cref="StopAsync"/> resets
/// every open connection and closes the listening port (new connections are refused), <see cref="Start"/> listens on
/// the same port again. It can also answer a request itself with a 400 (<see cref="AnswerBadRequest"/>), as Ceph RGW
/// does under load. Loopback only.
/// </summary>
internal sealed class TcpForwardingProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _running;
    private Task _acceptLoop = Task.CompletedTask;
    private long _bytesUpstream;
    private volatile bool _hung;
    private int _badRequestsToAnswer;
    private int _badRequestsAnswered;
    private volatile string? _badRequestCode;

    public TcpForwardingProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IPAddress.IsLoopback(IPAddress.Parse(target.Host)))
        {
            throw new ArgumentException($"The proxy forwards to loopback only, not to {target.Host}.", nameof(target));
        }

        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
    }

    /// <summary>The port the proxy listens on (fixed after the first <see cref="Start"/>).</summary>
    public int Port { get; private set; }

    /// <summary>The proxy's URL, such as <c>http://127.0.0.1:40123</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Bytes forwarded from clients to the server since the proxy was made.</summary>
    public long BytesUpstream => Interlocked.Read(ref _bytesUpstream);

    /// <summary>Starts listening: on a free port the first time, on the same port afterwards.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _listener = listener;
            _running = new CancellationTokenSource();
            _acceptLoop = AcceptAsync(listener, _running.Token);
        }
    }

    /// <summary>
    /// A hung server: connections are still accepted (and open ones kept) but nothing is forwarded any more, in
    /// either direction, until <see cref="Resume"/>.
    /// </summary>
    public void Hang() => _hung = true;

    /// <summary>Ends <see cref="Hang"/>: new connections are forwarded again.</summary>
    public void Resume() => _hung = false;

    /// <summary>
    /// The next <paramref name="connections"/> new connections are not forwarded: the proxy answers their first request
    /// itself with a 400 and closes the connection (<c>Connection: close</c>, so a retry comes on a new connection,
    /// which is forwarded). With no <paramref name="errorCode"/> the answer has no error document, as Ceph RGW's
    /// answer to a request it failed to read; with one it carries an S3 error document naming it. The request is
    /// read to its end first (the client sees the answer, not a reset).
    /// </summary>
    /// <remarks>
    /// It works per connection, not per request: a client that already holds an idle connection to the proxy sends
    /// its next request there, forwarded. Give the client under test connections of its own, opened after this call.
    /// </remarks>
    public void AnswerBadRequest(int connections, string? errorCode = null)
    {
        _badRequestCode = errorCode;
        Volatile.Write(ref _badRequestsToAnswer, connections);
    }

    /// <summary>How many requests the proxy has answered with a 400 itself (<see cref="AnswerBadRequest"/>).</summary>
    public int BadRequestsAnswered => Volatile.Read(ref _badRequestsAnswered);

    /// <summary>The outage: stops listening (connections are refused) and resets every open connection.</summary>
    public async Task StopAsync()
    {
        Task acceptLoop;
        lock (_gate)
        {
            if (_listener is null)
            {
                return;
            }

            _running!.Cancel();
            _listener.Stop();
            _listener = null;
            foreach (Socket socket in _open)
            {
                Reset(socket);
            }

            _open.Clear();
            acceptLoop = _acceptLoop;
        }

        await acceptLoop.ConfigureAwait(false);
        _running!.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(client, cancellationToken);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken cancellationToken)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (_gate)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Reset(client);
                server.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            if (_hung)
            {
                // Hold the connection, silent, until the outage or the proxy's end resets it.
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            if (TryTakeBadRequest())
            {
                await AnswerBadRequestAsync(client, _badRequestCode, cancellationToken).ConfigureAwait(false);
                return;
            }

            await server.ConnectAsync(_target, cancellationToken).ConfigureAwait(false);
            Task up = PumpAsync(client, server, count: true, cancellationToken);
            Task down = PumpAsync(server, client, count: false, cancellationToken);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The outage, or one side hung up.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                while (_hung)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }

                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }

                if (count)
                {
                    Interlocked.Add(ref _bytesUpstream, read);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The outage, or one side reset: reset the other side too, so its pump ends.
            Reset(from);
            Reset(to);
        }
    }

    private bool TryTakeBadRequest()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _badRequestsToAnswer);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _badRequestsToAnswer, left - 1, left) != left);
        return true;
    }

    private async Task AnswerBadRequestAsync(Socket client, string? errorCode, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        CancellationToken token = timeout.Token;

        // The request head, then as much of the body as it declares.
        byte[] buffer = new byte[64 * 1024];
        var head = new List<byte>();
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(head)) < 0)
        {
            int read = await client.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            head.AddRange(buffer.AsSpan(0, read));
        }

        string text = System.Text.Encoding.ASCII.GetString([.. head], 0, headEnd);
        string[] lines = text.Split("\r\n");
        bool isHead = lines[0].StartsWith("HEAD ", StringComparison.Ordinal);
        long bodyLength = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(pair => long.Parse(pair[1].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        bool expectsContinue = lines.Any(line => line.StartsWith("Expect:", StringComparison.OrdinalIgnoreCase) && line.Contains("100-continue", StringComparison.OrdinalIgnoreCase));
        long bodyLeft = expectsContinue ? 0 : bodyLength - (head.Count - headEnd - 4);
        while (bodyLeft > 0)
        {
            int read = await client.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            bodyLeft -= read;
        }

        Interlocked.Increment(ref _badRequestsAnswered);
        string body = errorCode is null
            ? string.Empty
            : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{errorCode}</Code><Message>refused by the test proxy</Message><RequestId>tx-proxy</RequestId></Error>";
        int bodyBytes = System.Text.Encoding.UTF8.GetByteCount(body);
        string answer = "HTTP/1.1 400 Bad Request\r\n" +
            $"Content-Length: {bodyBytes}\r\n" +
            (bodyBytes > 0 ? "Content-Type: application/xml\r\n" : string.Empty) +
            "Connection: close\r\n\r\n" +
            (isHead ? string.Empty : body);
        await client.SendAsync(System.Text.Encoding.UTF8.GetBytes(answer), SocketFlags.None, token).ConfigureAwait(false);

        // Half-close, then wait for the client to hang up: closing with unread bytes would reset the connection.
        client.Shutdown(SocketShutdown.Send);
        while (await client.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false) > 0)
        {
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (int i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }

    /// <summary>Closes with an RST (linger 0), as a server that dies does, and leaves no TIME_WAIT behind.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
    }
}
