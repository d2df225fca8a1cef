using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Wharf.StaticManifest.Runtime;

namespace Wharf.StaticManifest.Tests.Runtime;

/// <summary>Manifests, sources, temp folders and a log collector for the runtime tests.</summary>
internal static class RuntimeTestSupport
{
    /// <summary>How long a test waits at the most for a reload (or a bounded loop of them) to happen.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static string Integrity(string content) => "sha384-" + Convert.ToBase64String(SHA384.HashData(Encoding.UTF8.GetBytes(content)));

    public static StaticAsset Asset(string logical, string stored, string? integrity = null, string contentType = "application/octet-stream") => new()
    {
        LogicalPath = logical,
        StoredPath = stored,
        ContentType = contentType,
        ContentHash = new string('0', 64),
        Integrity = integrity ?? Integrity(stored),
    };

    /// <summary>A manifest with a stylesheet, a script, an image, a font, an unfingerprinted file and a name that needs escaping.</summary>
    public static StaticAssetManifest Sample(string cssHash = "0123456789ab") => new(
    [
        Asset("css/site.css", $"css/site.{cssHash}.css", contentType: "text/css"),
        Asset("js/app.js", "js/app.abcdefabcdef.js", contentType: "text/javascript"),
        Asset("img/logo.png", "img/logo.111111111111.png", contentType: "image/png"),
        Asset("img/logo@2x.png", "img/logo@2x.444444444444.png", contentType: "image/png"),
        Asset("fonts/a.woff2", "fonts/a.222222222222.woff2", contentType: "font/woff2"),
        Asset("robots.txt", "robots.txt", contentType: "text/plain"),
        Asset("img/my logo é.png", "img/my logo é.333333333333.png", contentType: "image/png"),
    ]);

    public static byte[] SampleJson(string cssHash = "0123456789ab") => Sample(cssHash).ToUtf8Bytes();

    public static (StaticAssetResolver Resolver, StaticAssetManifestProvider Provider) CreateResolver(
        StaticAssetManifest manifest, string baseUrl = "/static/", bool strict = true, ILoggerFactory? logs = null)
    {
        var source = new MemoryManifestSource(manifest.ToUtf8Bytes());
        var provider = new StaticAssetManifestProvider(source, baseUrl, logs?.CreateLogger<StaticAssetManifestProvider>());
        return (new StaticAssetResolver(provider, strict, logs?.CreateLogger<StaticAssetResolver>()), provider);
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms for at most <paramref name="timeout"/>; the test goes on as soon as it holds.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="provider"/>'s reload loop (a poll every 20 ms) while <paramref name="body"/> runs, then
    /// stops the loop and waits for it to end.
    /// </summary>
    public static async Task WhilePollingAsync(StaticAssetManifestProvider provider, Func<Task> body, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task loop = provider.RunReloadLoopAsync(TimeSpan.FromMilliseconds(20), TimeProvider.System, stop.Token);
        try
        {
            await body();
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    /// <summary>Writes a file the way a deployment should: a temporary file renamed over the old one.</summary>
    public static void WriteAtomically(string path, byte[] content)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>A manifest held in memory; <see cref="Set"/> changes it (and its stamp), <see cref="Fail"/> makes reads fail.</summary>
internal sealed class MemoryManifestSource(byte[] content) : ManifestSource
{
    private byte[] _content = content;
    private int _version;
    private string? _failure;

    public int Reads { get; private set; }

    public override string Description => "memory 'test'";

    public override string SettingKey => "Test:Manifest";

    public void Set(byte[] content)
    {
        _content = content;
        _version++;
        _failure = null;
    }

    public void Fail(string message) => _failure = message;

    public override ValueTask<ManifestContent?> ReadIfChangedAsync(string? knownStamp, CancellationToken cancellationToken)
    {
        if (_failure is not null)
        {
            throw new StaticManifestException(_failure);
        }

        string stamp = "v" + _version;
        if (stamp == knownStamp)
        {
            return ValueTask.FromResult<ManifestContent?>(null);
        }

        Reads++;
        return ValueTask.FromResult<ManifestContent?>(new ManifestContent(_content, stamp));
    }
}

/// <summary>Collects log entries.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    public IEnumerable<string> Messages(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, eventId, category, formatter(state, exception), exception));
    }
}

/// <summary>
/// staticfiles.json in a temp folder and, once <see cref="LoadAsync"/> has run, a provider over it (at <c>/static/</c>,
/// logging to <see cref="Logs"/> unless made without a log) that has loaded it, a strict resolver, and the change token
/// and manifest of that first load. Disposing it disposes the provider, then removes the folder.
/// </summary>
internal sealed class ManifestFile(bool logged = true) : IDisposable
{
    private readonly TempFolder _folder = new();
    private ILoggerFactory? _factory;
    private StaticAssetManifestProvider? _provider;
    private StaticAssetResolver? _resolver;
    private IChangeToken? _firstToken;
    private StaticAssetManifest? _first;

    public string Path => _folder.File("staticfiles.json");

    public LogCollector Logs { get; } = new();

    public StaticAssetManifestProvider Provider => _provider ?? throw new InvalidOperationException("Not loaded yet.");

    public StaticAssetResolver Resolver => _resolver ?? throw new InvalidOperationException("Not loaded yet.");

    /// <summary>The provider's change token right after the first load: it has changed once a reload swapped a manifest in.</summary>
    public IChangeToken FirstToken => _firstToken ?? throw new InvalidOperationException("Not loaded yet.");

    /// <summary>The manifest of the first load.</summary>
    public StaticAssetManifest First => _first ?? throw new InvalidOperationException("Not loaded yet.");

    /// <summary>How many reloads swapped a manifest in, by the provider's log.</summary>
    public int Reloads => Logs.Entries.Count(e => e.EventId.Name == "Reloaded");

    /// <summary>Makes the provider and the resolver and loads the manifest file as it is now.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _factory = logged ? Logs.CreateFactory() : null;
        _provider = new StaticAssetManifestProvider(new FileManifestSource(Path), "/static/", _factory?.CreateLogger<StaticAssetManifestProvider>());
        _resolver = new StaticAssetResolver(_provider, strict: true);
        await _provider.EnsureLoadedAsync(cancellationToken);
        _firstToken = _provider.GetChangeToken();
        _first = _provider.Manifest;
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _factory?.Dispose();
        Logs.Dispose();
        _folder.Dispose();
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wharf-runtime-" + Guid.NewGuid().ToString("N"));

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
