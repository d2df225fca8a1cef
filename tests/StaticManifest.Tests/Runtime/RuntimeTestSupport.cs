using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Runtime;

namespace Wharf.StaticManifest.Tests.Runtime;

/// <summary>Manifests, sources, temp folders and a log collector for the runtime tests.</summary>
internal static class RuntimeTestSupport
{
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
