using System.Net;
using System.Net.Sockets;

namespace Wharf.Storage.S3.Tests.Support;

/// <summary>
/// A tiny TCP forwarder on 127.0.0.1 in front of the real server, to simulate an outage: <see cref="Stop"/> resets
/// every open connection and closes the listening port (new connections are refused), <see cref="Start"/> listens on
/// the same port again. Loopback only.
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
