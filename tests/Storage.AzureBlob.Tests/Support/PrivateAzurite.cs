using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>
/// An Azurite of one test's own, started and stopped by eng/servers/azurite/start.sh and stop.sh with a state directory
/// and port of its own, so the test can take it down (an outage) and bring it back without touching the shared server.
/// Disk persistence: a stop with <c>keepData</c> and a restart resume with the blobs the server had saved.
/// </summary>
/// <remarks>It fails (never skips) when it cannot start, with the script's output in the message.</remarks>
internal sealed class PrivateAzurite : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);
    private readonly string _root;
    private readonly string _stateDirectory;
    private bool _disposed;

    private PrivateAzurite(string root, int port)
    {
        _root = root;
        _stateDirectory = Path.Combine(root, "state");
        Port = port;
        Endpoint = $"http://127.0.0.1:{port}/{AzuriteServer.AccountName}";
    }

    /// <summary>The Blob endpoint, <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public string Endpoint { get; }

    public int Port { get; }

    /// <summary>Whether the server was started (and not stopped since) by this object.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Starts a disk-persistence Azurite on a free port from 10500.</summary>
    public static async Task<PrivateAzurite> StartAsync(CancellationToken cancellationToken)
    {
        string root = Path.Combine(Path.GetTempPath(), "wharf-az-outage-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PrivateAzurite(root, FindFreePort());
        try
        {
            await server.StartServerAsync(resume: false, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Options for a storage of this server (the development account's key).</summary>
    public AzureBlobStorageOptions Options(string container, string? location = null) => new()
    {
        Container = container,
        Location = location,
        ServiceUri = Endpoint,
        AccountName = AzuriteServer.AccountName,
        AccountKey = AzuriteServer.AccountKey,
    };

    /// <summary>Stops the server (TERM, then KILL after 10 s), keeping its data directory for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await RunAsync(FindScript("stop.sh"), [("WHARF_AZURITE_KEEP", "1")], cancellationToken);
        IsRunning = false;
    }

    /// <summary>Starts the server again on the same port, with the blobs it had persisted.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => StartServerAsync(resume: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // stop.sh signals only the PID recorded in this state directory, then removes the directory.
            await RunAsync(FindScript("stop.sh"), [], CancellationToken.None);
        }
        finally
        {
            IsRunning = false;
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private async Task StartServerAsync(bool resume, CancellationToken cancellationToken)
    {
        await RunAsync(FindScript("start.sh"), [("WHARF_AZURITE_RESUME", resume ? "1" : null)], cancellationToken);
        IsRunning = true;
    }

    private async Task RunAsync(string script, (string Name, string? Value)[] more, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        (string Name, string? Value)[] environment =
        [
            ("WHARF_AZURITE_DIR", _stateDirectory),
            ("WHARF_AZURITE_PORT", Port.ToString(CultureInfo.InvariantCulture)),
            ("WHARF_AZURITE_PERSISTENCE", "disk"),
            ("WHARF_AZURITE_ARGS", null),
            ("WHARF_AZURITE_RESUME", null),
            ("WHARF_AZURITE_KEEP", null),
            ("WHARF_AZURITE_DEBUG", null),
            ("WHARF_AZURITE_EXTENT_MEMORY_MB", null),
            .. more,
        ];
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not run bash {script}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Only the bash process started here; the next stop.sh stops the server it may have started.
            process.Kill();
            throw new TimeoutException($"bash {script} did not finish within {ScriptTimeout.TotalSeconds} s.");
        }

        string output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"bash {script} for the private Azurite on port {Port} failed (exit code {process.ExitCode}); install Azurite with eng/servers/azurite/install.sh. Output:\n{output}");
        }
    }

    private static int FindFreePort() => AzuriteScripts.FindFreePort(10500, 10599, "a private Azurite");

    private static string FindScript(string script) => AzuriteScripts.FindScript(script);
}
