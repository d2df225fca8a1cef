using Microsoft.Extensions.Logging;

namespace Wharf.StaticManifest.Serving;

/// <summary>
/// Holds the current <see cref="StaticAssetIndex"/> and replaces it when the manifest changes. Requests check the
/// manifest's size and modification time at most once per <see cref="StaticAssetServingOptions.ManifestCheckInterval"/>,
/// on a thread-pool thread, and swap in a new index with one reference write; a request never waits for a reload and
/// always sees one whole index. Polling rather than <see cref="FileSystemWatcher"/>: watchers miss events on network
/// and container file systems, fire before the writer finishes, and hold inotify watches; one stat every few seconds
/// costs nothing and cannot miss a deploy. An idle app does no polling at all.
/// </summary>
internal sealed class StaticAssetIndexSource
{
    private readonly string _root;
    private readonly string _manifestPath;
    private readonly StaticAssetServingOptions _options;
    private readonly ILogger _logger;
    private readonly long _intervalMilliseconds;
    private StaticAssetIndex _current = StaticAssetIndex.Empty;
    private long _nextCheck;
    private int _checking;
    private string? _stamp;
    private bool _missingReported;

    public StaticAssetIndexSource(string root, StaticAssetServingOptions options, ILogger logger)
    {
        _root = root;
        _manifestPath = Path.GetFullPath(Path.Combine(root, options.ManifestName));
        _options = options;
        _logger = logger;
        _intervalMilliseconds = options.ManifestCheckInterval == Timeout.InfiniteTimeSpan ? -1 : (long)options.ManifestCheckInterval.TotalMilliseconds;

        // The first read happens now, so a broken manifest is in the start-up log, not the first request's.
        _checking = 1;
        Check();
    }

    /// <summary>The manifest's full path.</summary>
    public string ManifestPath => _manifestPath;

    /// <summary>The index to answer this request with; starts a background check when one is due.</summary>
    public StaticAssetIndex Current
    {
        get
        {
            if (_intervalMilliseconds >= 0 && Environment.TickCount64 >= Volatile.Read(ref _nextCheck) && Interlocked.CompareExchange(ref _checking, 1, 0) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static source => source.Check(), this, preferLocal: false);
            }

            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Reads the manifest if it changed since last read; runs with <see cref="_checking"/> held and releases it.</summary>
    private void Check()
    {
        try
        {
            // The version is taken before the bytes are read: if the file changes mid-read, the next check sees a
            // newer one and reads it again. The rules (same-tick rewrites included) are the runtime resolver's.
            var info = new FileInfo(_manifestPath);
            if (!info.Exists)
            {
                // Deleted (or not collected yet): keep serving what we have; the files are likely still there.
                if (!_missingReported)
                {
                    StaticAssetServingLog.ManifestMissing(_logger, _manifestPath);
                    _missingReported = true;
                }

                _stamp = null;
                return;
            }

            if (Runtime.FileManifestSource.IsUnchanged(_stamp, info.LastWriteTimeUtc, info.Length))
            {
                return;
            }

            _missingReported = false;
            DateTime readStarted = DateTime.UtcNow;
            Runtime.ManifestContent? content = Runtime.FileManifestSource.Compare(_stamp, info.LastWriteTimeUtc, info.Length, readStarted, File.ReadAllBytes(_manifestPath));
            if (content is null)
            {
                return;
            }

            // Remembered before parsing, so a broken file is reported once and read again as soon as it changes.
            _stamp = content.Stamp;
            if (content.Utf8Json is not { } bytes)
            {
                return;
            }

            StaticAssetIndex index;
            try
            {
                StaticAssetManifest manifest = StaticAssetManifest.Parse(bytes);
                index = StaticAssetIndex.Build(manifest, _root, _options, _logger);
            }
            catch (Exception exception) when (exception is StaticManifestException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
            {
                // Half-written or hand-broken: the old index stays (its version was remembered above).
                StaticAssetServingLog.ManifestUnreadable(_logger, exception, _manifestPath, Volatile.Read(ref _current).Count);
                return;
            }

            Volatile.Write(ref _current, index);
            StaticAssetServingLog.ManifestLoaded(_logger, index.Count, _root, _options.RequestPath.Value ?? string.Empty, _manifestPath);
            if (!string.IsNullOrEmpty(_options.IndexFile))
            {
                StaticAssetServingLog.IndexFilesFound(_logger, index.IndexedFolders, _options.IndexFile);
            }
        }
#pragma warning disable CA1031 // Checks run as thread-pool work items, where an escaping exception ends the process.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            StaticAssetServingLog.ManifestCheckFailed(_logger, exception, _manifestPath);
        }
        finally
        {
            if (_intervalMilliseconds >= 0)
            {
                Volatile.Write(ref _nextCheck, Environment.TickCount64 + _intervalMilliseconds);
            }

            Volatile.Write(ref _checking, 0);
        }
    }
}
