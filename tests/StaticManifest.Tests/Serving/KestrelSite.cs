using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Serving;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// A <see cref="StaticRoot"/> served by the middleware on real Kestrel over a loopback port, with the fall-through
/// terminal behind it: fill <see cref="Root"/>, then <see cref="StartAsync"/>. Disposing it stops the server (when it
/// was started) and removes the root.
/// </summary>
internal sealed class KestrelSite : IAsyncDisposable
{
    private WebApplication? _app;
    private Uri? _baseAddress;

    public StaticRoot Root { get; } = new();

    /// <summary>The server's address (http://127.0.0.1:port/).</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("Not started yet.");

    /// <summary>Starts Kestrel with the root as <c>RootPath</c>, then <paramref name="configure"/> for the other options.</summary>
    public async Task StartAsync(Action<StaticAssetServingOptions>? configure, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddWharfStaticAssetServing(options =>
        {
            options.RootPath = Root.Root;
            configure?.Invoke(options);
        });
        _app = builder.Build();
        _app.UseWharfStaticAssets();
        _app.Run(StaticRoot.FallThroughAsync);
        await _app.StartAsync(cancellationToken);
        _baseAddress = new Uri(_app.Urls.Single());
    }

    /// <summary>Sends <paramref name="request"/> as is on a new connection and returns all the server sent back, as Latin-1.</summary>
    public async Task<string> RawRequestAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, BaseAddress.Port);
        await socket.SendAsync(request);
        using var received = new MemoryStream();
        byte[] buffer = new byte[16384];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    /// <summary>Sends <paramref name="request"/> encoded as ASCII; see <see cref="RawRequestAsync(byte[])"/>.</summary>
    public Task<string> RawRequestAsync(string request) => RawRequestAsync(Encoding.ASCII.GetBytes(request));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Root.Dispose();
    }
}
