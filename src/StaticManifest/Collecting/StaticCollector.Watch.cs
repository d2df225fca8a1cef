using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Wharf.StaticManifest.Collecting;

public sealed partial class StaticCollector
{
    /// <summary>How long the sources must be quiet before a watch collects (an editor's save is several events).</summary>
    public static readonly TimeSpan DefaultWatchQuietPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Collects, then keeps the destination in step with the sources until <paramref name="cancellationToken"/> is
    /// cancelled: every change the file system reports (after <paramref name="quietPeriod"/> without another, or a
    /// second at most while changes keep coming) runs a collect that processes only the files that changed and the
    /// files that refer to them. When only file contents
    /// changed, the sources are not even walked: only the reported files are looked at again.
    /// </summary>
    /// <param name="collected">Called after each successful collect, the first one included.</param>
    /// <param name="failed">
    /// Called when a collect fails (a strict collect's missing reference, a destination fault); the watch goes on and
    /// the next change collects again, in full. When null, a failure ends the watch with its exception.
    /// </param>
    /// <param name="progress">Receives the progress of each collect, if given.</param>
    /// <param name="quietPeriod">How long the sources must be quiet before a collect; <see cref="DefaultWatchQuietPeriod"/> when null.</param>
    /// <param name="cancellationToken">Ends the watch; the task then completes normally (a collect it interrupts leaves the previous manifest in place).</param>
    /// <returns>A task that completes when the watch ends.</returns>
    /// <remarks>
    /// <para>
    /// Changes are seen through <see cref="FileSystemWatcher"/> (inotify on Linux), one per source folder, as the
    /// watch starts (sources added to the options later are not watched); changes to what the collect ignores start
    /// nothing. Folders reached through a symbolic link are not watched by every platform, and writing a link's target
    /// does not name the link: files reached through a link are looked at again by every collect, so such a change is
    /// published with the next change seen. When the system drops events (its queue overflowed), the next collect
    /// walks the sources.
    /// </para>
    /// <para>
    /// With <see cref="StaticCollectOptions.PruneStale"/>, every collect is a full one (pruning lists the destination).
    /// </para>
    /// </remarks>
    public async Task WatchAsync(Action<CollectResult>? collected = null, Action<Exception>? failed = null, IProgress<CollectProgress>? progress = null,
        TimeSpan? quietPeriod = null, CancellationToken cancellationToken = default)
    {
        TimeSpan quiet = quietPeriod ?? DefaultWatchQuietPeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(quiet, TimeSpan.Zero, nameof(quietPeriod));

        // Reported changes: a file's physical path when its content changed, null when the set of files may have (a
        // file or folder created, deleted or renamed, or events lost), which makes the next collect walk the sources.
        var changes = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });
        var watchers = new List<FileSystemWatcher>();
        try
        {
            // Watching starts before the first collect: a change made while it runs is collected after it.
            foreach (string source in _options.Sources.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
            {
                watchers.Add(Watch(source, changes.Writer));
            }

            bool walk = true;
            var changed = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                try
                {
                    CollectResult result = await CollectAsync(progress, walk ? null : changed, cancellationToken).ConfigureAwait(false);
                    collected?.Invoke(result);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (failed is not null)
                {
                    Log.WatchCollectFailed(_logger, exception.Message);
                    failed(exception);
                }

                changed.Clear();
                walk = false;
                try
                {
                    // Wait for a change, then until the sources have been quiet for the quiet period — but no longer
                    // than a second in all: a build that writes for minutes is published as it goes.
                    walk |= Take(await changes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false));
                    long firstChange = Environment.TickCount64;
                    while (Environment.TickCount64 - firstChange < Math.Max(1000, (long)quiet.TotalMilliseconds))
                    {
                        using var quietTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        quietTimer.CancelAfter(quiet);
                        try
                        {
                            walk |= Take(await changes.Reader.ReadAsync(quietTimer.Token).ConfigureAwait(false));
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Log.WatchChanged(_logger, walk ? -1 : changed.Count);
            }

            bool Take(string? path)
            {
                if (path is null)
                {
                    return true;
                }

                changed.Add(path);
                return false;
            }
        }
        finally
        {
            foreach (FileSystemWatcher watcher in watchers)
            {
                watcher.Dispose();
            }
        }
    }

    private FileSystemWatcher Watch(string source, ChannelWriter<string?> changes)
    {
        var watcher = new FileSystemWatcher(source)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.CreationTime,
            InternalBufferSize = 64 * 1024,
        };
        // Events for what the collect ignores (an editor's swap file, .git, node_modules/.cache…) start nothing.
        GlobPattern[] ignores = [.. IgnorePatterns().Select(p => new GlobPattern(p))];

        watcher.Changed += (_, e) =>
        {
            // A folder's own change (its times) comes with the events of the entries that made it.
            if (!IsIgnored(source, e.FullPath, ignores) && !Directory.Exists(e.FullPath))
            {
                changes.TryWrite(e.FullPath);
            }
        };
        watcher.Created += (_, e) => Structural(e.FullPath);
        watcher.Deleted += (_, e) => Structural(e.FullPath);
        watcher.Renamed += (_, e) =>
        {
            if (!IsIgnored(source, e.OldFullPath, ignores) || !IsIgnored(source, e.FullPath, ignores))
            {
                changes.TryWrite(null);
            }
        };
        watcher.Error += (_, e) =>
        {
            Log.WatchEventsLost(_logger, source, e.GetException().Message);
            changes.TryWrite(null);
        };
        watcher.EnableRaisingEvents = true;
        return watcher;

        void Structural(string path)
        {
            if (!IsIgnored(source, path, ignores))
            {
                changes.TryWrite(null);
            }
        }
    }

    /// <summary>Whether the finder would skip this path: its name, or a folder on its way, matches an ignore pattern.</summary>
    private static bool IsIgnored(string source, string path, IReadOnlyList<GlobPattern> ignores)
    {
        string relative = Path.GetRelativePath(source, path).Replace(Path.DirectorySeparatorChar, '/');
        if (relative.StartsWith("../", StringComparison.Ordinal) || relative == "..")
        {
            return false;
        }

        int end = -1;
        while (end < relative.Length)
        {
            int start = end + 1;
            end = relative.IndexOf('/', start);
            if (end < 0)
            {
                end = relative.Length;
            }

            if (StaticFileFinder.IsIgnored(relative[start..end], relative[..end], ignores))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "Sources changed ({Count} files; -1: files added, removed or renamed); collecting")]
        public static partial void WatchChanged(ILogger logger, int count);

        [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "A watched collect failed ({Cause}); the next change collects again")]
        public static partial void WatchCollectFailed(ILogger logger, string cause);

        [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "Change events for {Source} were lost ({Cause}); the next collect walks the sources")]
        public static partial void WatchEventsLost(ILogger logger, string source, string cause);
    }
}
