using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace Wharf.StaticManifest.Runtime;

/// <summary>The manifest currently in use, for components that need more than URLs (the serving middleware, health checks).</summary>
public interface IStaticAssetManifestProvider
{
    /// <summary>The current manifest; replaced as a whole when a new one is loaded.</summary>
    /// <exception cref="StaticManifestException">No manifest has been loaded and none can be.</exception>
    StaticAssetManifest Manifest { get; }

    /// <summary>Where the manifest is loaded from, such as <c>file '/srv/static/staticfiles.json'</c>.</summary>
    string Source { get; }

    /// <summary>A token that fires when a new manifest replaces the current one.</summary>
    IChangeToken GetChangeToken();
}

/// <summary>
/// Loads the manifest, builds its lookup index, and swaps in a new one when the source changes. A failed reload
/// keeps the previous manifest; a failed first load is an error for whoever needs the manifest (at start-up, the host).
/// </summary>
internal sealed partial class StaticAssetManifestProvider : IStaticAssetManifestProvider, IDisposable
{
    private readonly ManifestSource _source;
    private readonly string _baseUrl;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StaticAssetIndex? _index;
    private CancellationTokenSource _changed = new();

    // The last version read, loaded or not, so a broken manifest is parsed (and reported) once, not on every check.
    private string? _lastStamp;
    private string? _lastFailure;

    public StaticAssetManifestProvider(ManifestSource source, string baseUrl, ILogger<StaticAssetManifestProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseUrl);
        _source = source;
        _baseUrl = baseUrl;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string Source => _source.Description;

    public StaticAssetManifest Manifest => Index.Manifest;

    /// <summary>The current index; loads the manifest on first use when nothing (such as the host) loaded it before.</summary>
    internal StaticAssetIndex Index
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _index) ?? LoadOnFirstUse();
    }

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Loads the manifest unless it is loaded already.</summary>
    /// <exception cref="StaticManifestException">It cannot be read or parsed; the message names the source and its setting.</exception>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _index) is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_index is null)
            {
                await LoadFirstAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks the source once and swaps in a changed manifest. Never throws for a bad or missing manifest: it logs and keeps the old one.</summary>
    /// <returns>Whether a new manifest was swapped in.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_index is null)
            {
                try
                {
                    await LoadFirstAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (StaticManifestException exception)
                {
                    ReportFailure(exception, previousHash: null);
                    return false;
                }
            }

            StaticAssetIndex current = _index;
            StaticAssetIndex next;
            try
            {
                ManifestContent? content = await _source.ReadIfChangedAsync(_lastStamp, cancellationToken).ConfigureAwait(false);
                if (content is null)
                {
                    _lastFailure = null;
                    return false;
                }

                _lastStamp = content.Stamp;
                if (content.Utf8Json is null)
                {
                    // Read again and found unchanged: only its version moved on.
                    _lastFailure = null;
                    return false;
                }

                next = Build(content);
            }
            catch (StaticManifestException exception)
            {
                ReportFailure(exception, current.Manifest.Hash);
                return false;
            }

            _lastFailure = null;
            Swap(next);
            Log.Reloaded(_logger, Source, next.Entries.Count, next.Manifest.Hash, current.Manifest.Hash);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks the source every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunReloadLoopAsync(TimeSpan interval, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ReloadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Something the sources do not translate (a storage that cannot even be created): log it and
                    // keep checking, since a loop that died silently would pin the old manifest forever.
                    Log.ReloadFailed(_logger, exception, Source, Volatile.Read(ref _index)?.Manifest.Hash ?? "(none)");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _changed.Dispose();
    }

    private async Task LoadFirstAsync(CancellationToken cancellationToken)
    {
        StaticAssetIndex index;
        try
        {
            ManifestContent content = await _source.ReadIfChangedAsync(null, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("A source returned no content for the first read.");
            _lastStamp = content.Stamp;
            index = Build(content);
        }
        catch (StaticManifestException exception)
        {
            throw new StaticManifestException(
                $"The static asset manifest could not be loaded from {_source.Description} (set by {_source.SettingKey}): {exception.Message} " +
                "Collect the static files before the app starts, or correct the setting.",
                exception);
        }

        Swap(index);
        Log.Loaded(_logger, Source, index.Entries.Count, index.Manifest.Hash);
    }

    private StaticAssetIndex Build(ManifestContent content)
    {
        StaticAssetManifest manifest;
        try
        {
            manifest = StaticAssetManifest.Parse(content.Utf8Json ?? throw new InvalidOperationException("A first read always has content."));
        }
        catch (StaticManifestException exception)
        {
            throw new StaticManifestException($"The manifest {_source.Description} is not usable: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
        {
            // Valid JSON of the wrong shape (a number where a path belongs, a duplicate stored path) surfaces as these.
            throw new StaticManifestException($"The manifest {_source.Description} is not usable: {exception.Message}", exception);
        }

        return new StaticAssetIndex(manifest, _baseUrl, _source.Description, content.Stamp);
    }

    private void Swap(StaticAssetIndex index)
    {
        Volatile.Write(ref _index, index);
        CancellationTokenSource previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        try
        {
            previous.Cancel();
        }
        catch (AggregateException exception)
        {
            // A listener's bug must not undo the swap or stop the reload loop: the new manifest is in use either way.
            Log.ChangeCallbackFailed(_logger, exception, Source);
        }
    }

    private void ReportFailure(StaticManifestException exception, string? previousHash)
    {
        // A storage outage or a broken deployment fails every check until fixed: say so once, then only at Debug.
        if (exception.Message == _lastFailure)
        {
            Log.ReloadStillFailing(_logger, Source, exception.Message);
            return;
        }

        _lastFailure = exception.Message;
        Log.ReloadFailed(_logger, exception, Source, previousHash ?? "(none)");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StaticAssetIndex LoadOnFirstUse()
    {
        // Without a host (a console tool, a test) nothing loaded the manifest at start-up; load it now, once.
        // Blocking on the source is acceptable here only because it happens once, before the first answer.
        _gate.Wait();
        try
        {
            if (_index is null)
            {
                LoadFirstAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            return _index!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded the static asset manifest from {Source}: {Count} logical paths, hash {Hash}")]
        public static partial void Loaded(ILogger logger, string source, int count, string hash);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Reloaded the static asset manifest from {Source}: {Count} logical paths, hash {Hash} (was {PreviousHash})")]
        public static partial void Reloaded(ILogger logger, string source, int count, string hash, string previousHash);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The static asset manifest from {Source} could not be reloaded; the previous manifest (hash {PreviousHash}) stays in use")]
        public static partial void ReloadFailed(ILogger logger, Exception exception, string source, string previousHash);

        [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A listener for changes of the static asset manifest from {Source} failed; the new manifest is in use")]
        public static partial void ChangeCallbackFailed(ILogger logger, Exception exception, string source);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "The static asset manifest from {Source} still cannot be reloaded: {Cause}")]
        public static partial void ReloadStillFailing(ILogger logger, string source, string cause);
    }
}
