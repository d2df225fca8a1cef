using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.StaticManifest.Compression;
using Wharf.StaticManifest.Rewriting;
using Wharf.Storage;

namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// Collects static files into a storage (file system, S3, Azure…): finds them in the sources, fingerprints them,
/// rewrites the references of CSS and JavaScript files in one pass over their dependency graph, precompresses,
/// uploads what changed, and writes the manifest last.
/// </summary>
/// <remarks>
/// <para>
/// Names are <c>{stem}.{12 hex of SHA-256}{ext}</c>. A file's final content depends on the final names of the files it
/// refers to, so files are processed in dependency order (strongly connected components); the members of a reference
/// cycle share one hash computed over all of them, so a cycle never fails.
/// </para>
/// <para>
/// Publishing compares content hashes with the previous manifest and one listing of the destination: fingerprinted
/// names are content-addressed (present means done); original names are re-uploaded only when their hash changed.
/// The manifest is written last (an atomic replace on every Wharf backend), so while a collect runs, and after one
/// fails, the previous deployment stays complete and servable. Nothing is written when a strict collect finds a
/// missing reference.
/// </para>
/// </remarks>
public sealed partial class StaticCollector
{
    private readonly IStorage _destination;
    private readonly StaticCollectOptions _options;
    private readonly ILogger _logger;

    /// <summary>One collect at a time per collector: each starts from what the last one left (<see cref="_state"/>).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>What the last successful collect left, for the next one on this collector; null before and after a failure.</summary>
    private CollectState? _state;

    /// <summary>
    /// How recently before a collect a file may have changed and still be taken for unchanged by the next collect on
    /// this collector when its length and times are the same (a write in the same timestamp tick would not show).
    /// Tests shorten it; files they write are otherwise always processed again.
    /// </summary>
    internal TimeSpan RacyWindow { get; init; } = CollectState.DefaultRacyWindow;

    /// <summary>Creates the collector.</summary>
    /// <param name="destination">Where the collected tree goes.</param>
    /// <param name="options">Sources and processing options.</param>
    /// <param name="logger">The logger, if any.</param>
    public StaticCollector(IStorage destination, StaticCollectOptions options, ILogger<StaticCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _destination = destination;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Runs the collect.</summary>
    /// <remarks>
    /// A collector remembers what its last successful collect published (in memory). Run again on the same collector
    /// while the destination's manifest is still the one it wrote, a collect processes only the files that changed,
    /// appeared or went and the files that refer to them; the rest is taken as it was, and a collect that finds nothing
    /// changed writes nothing. While no folder it read has changed (no file added, removed or renamed), the sources are
    /// not walked again: each known file's status is read. <see cref="WatchAsync"/> builds on this. Concurrent calls on
    /// one collector run one after the other.
    /// </remarks>
    public Task<CollectResult> CollectAsync(IProgress<CollectProgress>? progress = null, CancellationToken cancellationToken = default) =>
        CollectAsync(progress, changed: null, cancellationToken);

    /// <summary>
    /// Runs a collect, told which source files changed since the last collect on this collector (by a file-system
    /// watcher of your own, a dev server, a build step): when they are all files that collect found, and none was added,
    /// removed or renamed, only they are looked at again — the sources are not walked. Otherwise, and before a first
    /// collect, this is <see cref="CollectAsync(IProgress{CollectProgress}, CancellationToken)"/>.
    /// </summary>
    /// <param name="changedFiles">
    /// The full paths of every source file whose content may have changed (as a watcher reports them, under the source
    /// folders as given); a file left out is not seen until a collect walks the sources.
    /// </param>
    /// <param name="progress">Receives progress per stage, if given.</param>
    /// <param name="cancellationToken">Cancels the collect (the previous manifest stays in place).</param>
    /// <returns>What was done.</returns>
    /// <exception cref="MissingReferencesException">Strict mode found references to missing files; nothing was written.</exception>
    public Task<CollectResult> CollectChangesAsync(IReadOnlyCollection<string> changedFiles, IProgress<CollectProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changedFiles);
        return CollectAsync(progress, [.. changedFiles.Select(Path.GetFullPath)], cancellationToken);
    }

    /// <summary>A collect; <paramref name="changed"/>, when given, are the only source files (physical paths) whose content may have changed since the last one.</summary>
    private async Task<CollectResult> CollectAsync(IProgress<CollectProgress>? progress, IReadOnlyCollection<string>? changed, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CollectOnceAsync(progress, changed, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CollectResult> CollectOnceAsync(IProgress<CollectProgress>? progress, IReadOnlyCollection<string>? changed, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = StaticManifestDiagnostics.ActivitySource.StartActivity("collect");
        activity?.SetTag("wharf.storage.name", _destination.Name);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var storageTag = new KeyValuePair<string, object?>("wharf.storage.name", _destination.Name);
        try
        {
            CollectResult result;
            try
            {
                result = await CollectCoreAsync(progress, useCache: true, changed, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleSourceException stale) when (stale.FromCache)
            {
                // The cache (or the last collect on this collector) took a file for unchanged (same length and times)
                // that is not: it cannot be trusted, so this collect runs again without it (a publish is idempotent and
                // the manifest is written last).
                Log.StaleCache(_logger, _options.CacheFile ?? "in memory", stale.Message);
                result = await CollectCoreAsync(progress, useCache: false, changed: null, cancellationToken).ConfigureAwait(false);
            }

            activity?.SetTag("wharf.static.found", result.Found);
            activity?.SetTag("wharf.static.copied", result.Copied);
            activity?.SetTag("wharf.static.unmodified", result.Unmodified);
            activity?.SetTag("wharf.static.missing", result.Missing.Count);
            StaticManifestDiagnostics.FilesPublished.Add(result.Copied, storageTag);
            StaticManifestDiagnostics.FilesUnmodified.Add(result.Unmodified, storageTag);
            StaticManifestDiagnostics.CollectDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, storageTag);
            return result;
        }
        catch (Exception exception)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, exception.Message);
            StaticManifestDiagnostics.CollectDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                storageTag, new KeyValuePair<string, object?>("error.type", exception.GetType().Name));
            throw;
        }
    }

    private async Task<CollectResult> CollectCoreAsync(IProgress<CollectProgress>? progress, bool useCache, IReadOnlyCollection<string>? changed, CancellationToken cancellationToken)
    {
        List<string> ignores = IgnorePatterns();
        DateTime started = DateTime.UtcNow;
        string stateKey = CollectState.KeyOf(_options, ignores);

        // What the last collect on this collector left (CollectState): reused while the destination's manifest is the
        // one it wrote. A dry run neither uses nor changes it; any other collect drops it until it succeeds, since a
        // publish that fails midway leaves the destination between two states.
        CollectState? previous = null;
        if (!_options.DryRun)
        {
            previous = useCache && !_options.PruneStale && _state is { } state && state.Key == stateKey ? state : null;
            _state = null;
            if (previous is not null && !await DescribesDestinationAsync(previous, cancellationToken).ConfigureAwait(false))
            {
                previous = null;
            }
        }

        // The cache file is read while the sources are walked (a re-collect's two fixed costs, on two cores); with a
        // collect state it is not needed, only rewritten.
        Task<CollectCache>? cacheLoad = _options.CacheFile is { } cachePath
            ? previous is not null || !useCache
                ? Task.FromResult(CollectCache.Empty(CollectCache.KeyOf(_options)))
                : Task.Run(() => CollectCache.Load(cachePath, CollectCache.KeyOf(_options)), cancellationToken)
            : null;

        // After a collect on this collector, the sources are walked only if files may have been added, removed or
        // renamed: a watcher that saw only files change names them, and otherwise unchanged folders say so.
        FindResult found;
        if (previous is null || !((changed is not null && previous.TryUpdate(changed, out found)) || previous.TryRestat(out found)))
        {
            found = StaticFileFinder.Find(_options.Sources, ignores);
            foreach (FileConflict conflict in found.Conflicts)
            {
                Log.Conflict(_logger, conflict.LogicalPath, conflict.Used, conflict.Ignored.Count);
            }
        }

        var rewriteExtensions = new HashSet<string>(_options.RewriteExtensions, StringComparer.OrdinalIgnoreCase);
        var files = new SourceFile[found.Files.Count];
        Dictionary<string, SourceFile> byPath;

        // The files this collect processes: all of them, or, after a collect on this collector, those that changed,
        // appeared, or refer (directly or not) to a path that changed, appeared or went, each with what is known of it.
        List<SourceFile> work;
        var known = new Dictionary<SourceFile, SourceFile>();
        List<SourceFile> removed = [];
        Dictionary<string, SourceFile>? replaced = null;
        if (previous is null)
        {
            byPath = new Dictionary<string, SourceFile>(files.Length, StringComparer.Ordinal);
            for (int i = 0; i < files.Length; i++)
            {
                FoundFile file = found.Files[i];
                byPath[file.LogicalPath] = files[i] = new SourceFile(file, rewriteExtensions.Contains(Path.GetExtension(file.LogicalPath)));
            }

            work = [.. files];
        }
        else
        {
            (work, removed, replaced) = Affected(previous, found.Files, rewriteExtensions, files, known);
            byPath = previous.ByPath;
            if (work.Count == 0 && removed.Count == 0)
            {
                // Nothing changed since the last collect, and the destination is as it left it: nothing to do.
                previous.Found = found;
                _state = previous;
                CollectResult unchanged = Summarize(files, found.Conflicts, copied: 0, deleted: 0);
                Log.Collected(_logger, unchanged.Found, 0, unchanged.Unmodified, unchanged.PostProcessed, unchanged.Compressed);
                return unchanged;
            }
        }

        // 1. Read, hash and scan, in parallel: each source file is read once — or not at all when the last collect
        // or the cache knows it (same physical path, length, modification and change time).
        CollectCache? cache = cacheLoad is null ? null : await cacheLoad.ConfigureAwait(false);
        int read = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (file, token) =>
        {
            if (known.TryGetValue(file, out SourceFile? before))
            {
                file.UseKnown(before);
            }
            else if (cache?.TryGetSource(file.Found, file.Rewritable) is { } cached)
            {
                file.UseCached(cached);
            }
            else
            {
                await file.LoadAsync(token).ConfigureAwait(false);
            }

            progress?.Report(new CollectProgress("processing", Interlocked.Increment(ref read), work.Count));
        }).ConfigureAwait(false);

        // 2. Resolve references; in strict mode any missing one stops the collect before a byte is written.
        var missing = new List<MissingReference>();
        foreach (SourceFile file in work)
        {
            foreach (AssetReference reference in file.References)
            {
                ReferenceResolver.TryResolve(file.Found.LogicalPath, reference.Url, _options.StaticUrl, out ResolvedReference resolved);
                switch (resolved.Outcome)
                {
                    case ReferenceOutcome.Resolved when byPath.TryGetValue(resolved.TargetPath!, out SourceFile? target):
                        file.Links.Add(new Link(reference, resolved, target));
                        break;
                    case ReferenceOutcome.Resolved or ReferenceOutcome.AboveRoot:
                        var reported = new MissingReference(file.Found.LogicalPath, reference.Line, reference.Column, reference.Url, resolved.TargetPath);
                        file.Missing.Add(reported);
                        missing.Add(reported);
                        break;
                }
            }
        }

        if (missing.Count > 0)
        {
            if (_options.MissingReferences == MissingReferenceMode.Strict)
            {
                throw new MissingReferencesException(missing);
            }

            foreach (MissingReference reference in missing)
            {
                Log.MissingReference(_logger, reference.ToString());
            }
        }

        // 3. Final names in dependency order; a cycle shares one hash over its members. Files without links keep
        // their content, so their names are known first. Links out of the work lead to files whose names are final.
        foreach (SourceFile file in work.Where(f => f.Links.Count == 0))
        {
            file.FinishUnchanged();
        }

        SourceFile[] rewritable = [.. work.Where(f => f.Links.Count > 0)];
        foreach (IReadOnlyList<string> component in DependencyGraph.StronglyConnectedComponents(
            [.. rewritable.Select(f => f.Found.LogicalPath)],
            path => byPath[path].Links.Select(l => l.Target.Found.LogicalPath)))
        {
            SourceFile[] members = [.. component.Select(p => byPath[p])];
            if (members.Length == 1 && !members[0].Links.Any(l => l.Target == members[0]))
            {
                // Unchanged source, unchanged target names: the cache knows the final hash; the content is rewritten
                // later only if it has to be uploaded.
                if (members[0].FromCache && cache?.TryGetFinal(members[0]) is { } final)
                {
                    members[0].FinishFromCache(final);
                }
                else
                {
                    await members[0].EnsureSourceAsync(cancellationToken).ConfigureAwait(false);
                    members[0].Finish(members[0].Rewrite(_ => true));
                }
            }
            else
            {
                foreach (SourceFile member in members)
                {
                    await member.EnsureSourceAsync(cancellationToken).ConfigureAwait(false);
                }

                FinishCycle(members);
            }
        }

        // 4. The manifest's assets: every fingerprinted file, and the originals unless only fingerprints are kept.
        var outputs = new List<Output>(work.Count * 2);
        foreach (SourceFile file in work)
        {
            outputs.Add(file.FingerprintedOutput = new Output(file.StoredPath!, file.Found.LogicalPath, file, Original: false));
            if (_options.KeepOriginals)
            {
                outputs.Add(file.OriginalOutput = new Output(file.Found.LogicalPath, file.Found.LogicalPath, file, Original: true));
            }
        }

        // 5. Precompression, once per distinct content; content the destination holds already (as the last collect on
        // this collector, or the collect cache's trusted record, says) keeps the variants published then, without
        // reading or compressing anything.
        CachedDestination? trusted = previous is not null || cache is null || _options.DryRun ? null : await TrustedDestinationAsync(cache, cancellationToken).ConfigureAwait(false);
        Func<Output, IReadOnlyList<CompressedContent>?>? published = replaced is not null
            ? output => PreviousOutput(replaced, output) is { } before && before.StoredPath == output.StoredPath && before.Hashes.Hash == output.Hashes.Hash ? before.Variants : null
            : trusted is not null
                ? output => cache!.TryGetPublishedVariants(output.File, output.Original, output.Hashes.Hash) is { } variants
                    ? [.. variants.Select(v => new CompressedContent(ContentCodings.FromFileExtension(v.Extension), v.Extension, null, v.Length, v.Hash))]
                    : null
                : null;
        if (_options.Precompress)
        {
            await CompressAsync(outputs, published, progress, cancellationToken).ConfigureAwait(false);
        }

        // Two files must never be stored under one name (a source folder holding a previous collect's output, say,
        // has both app.css and app.1a2b3c4d5e6f.css): refused before anything is written.
        Dictionary<string, string> names = EnsureDistinctNames(outputs, previous, replaced, removed);

        // The manifest is written straight from the files (sorted by logical path already); the StaticAssetManifest a
        // caller may read from the result is built only if it is asked for.
        foreach (SourceFile file in work)
        {
            file.Entry = new ManifestEntry(file.Found.LogicalPath, file.FingerprintedOutput!.ToAsset(), file.OriginalOutput?.ToAsset());
        }

        if (_options.DryRun)
        {
            return Summarize(files, found.Conflicts, copied: 0, deleted: 0) with { Unmodified = 0 };
        }

        // 6. Publish what changed, then the manifest, then (optionally) prune.

        // The next cache's content is known now; it is serialized while this one publishes, and saved (with the
        // destination's new manifest version) only when the publish succeeded.
        Task<string>? cacheBody = cache is null ? null : Task.Run(() => cache.Serialize(files, [.. AllOutputs(files)], _options.CacheFile!, started), CancellationToken.None);
        bool cacheSaved = false;
        try
        {
            (int copied, Dictionary<string, (long Length, string? Hash)> existing, string? previousManifestSha) = await PublishAsync(outputs, replaced, trusted is null ? null : cache, progress, cancellationToken).ConfigureAwait(false);
            progress?.Report(new CollectProgress("manifest", 0, 1));
            // One pooled buffer of about the right size (no doubling copies of a multi-megabyte manifest), hashed and saved as it is.
            using var manifestBuffer = new Internal.PooledBufferWriter(4096 + (files.Length * 512));
            var entryJson = new ManifestEntryJson?[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                entryJson[i] = files[i].EntryJson;
            }

            StaticAssetManifest.Write(manifestBuffer, Entries(files), entryJson);
            for (int i = 0; i < files.Length; i++)
            {
                files[i].EntryJson = entryJson[i];
            }

            string manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifestBuffer.WrittenMemory.Span));
            // Not written again when the destination has these very bytes (nothing changed): its version stays, and a
            // server or CDN polling it sees no change.
            if ((previous?.ManifestSha256 ?? trusted?.ManifestSha256 ?? previousManifestSha) != manifestSha)
            {
                using Stream manifestContent = manifestBuffer.OpenRead();
                await _destination.SaveAsync(_options.ManifestName, manifestContent, new SaveOptions { Overwrite = true, ContentType = "application/json", CacheControl = "no-cache" }, cancellationToken).ConfigureAwait(false);
            }

            // The version of the manifest this collect leaves, taken at once (not after a prune's listing), for the
            // next collect on this collector and for the cache.
            StorageObjectInfo manifestInfo = await _destination.GetInfoAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false);
            progress?.Report(new CollectProgress("manifest", 1, 1));
            int deleted = 0;
            if (_options.PruneStale)
            {
                // What the cache knows is what the last collects published, not what else may be there: prune lists.
                IEnumerable<string> present = trusted is null ? existing.Keys : await ListNamesAsync(cancellationToken).ConfigureAwait(false);
                deleted = await PruneAsync(files, present, progress, cancellationToken).ConfigureAwait(false);
            }

            if (cache is not null)
            {
                cache.Destination = manifestInfo.ETag is null ? null : new CachedDestination(manifestInfo.ETag, manifestInfo.Length, manifestInfo.LastModified.UtcTicks, manifestSha);
                try
                {
                    cache.Save(_options.CacheFile!, await cacheBody!.ConfigureAwait(false));
                }
#pragma warning disable CA1031 // The deployment is complete; whatever kept the cache from being written only loses the next collect's shortcut.
                catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.CacheNotSaved(_logger, _options.CacheFile!, exception.Message);
                }

                cacheSaved = true;
            }

            // Published: what the next collect on this collector starts from. Unchanged files are never read again, so
            // their content is not kept.
            foreach (SourceFile file in work)
            {
                file.ReleaseContent();
            }

            _state = previous is null
                ? new CollectState(stateKey, files, byPath, names, found, started, RacyWindow, manifestInfo, manifestSha)
                : previous.Next(files, work, replaced!.Values, removed, found, started, manifestInfo, manifestSha);
            CollectResult result = Summarize(files, found.Conflicts, copied, deleted);
            Log.Collected(_logger, result.Found, result.Copied, result.Unmodified, result.PostProcessed, result.Compressed);
            return result;
        }
        finally
        {
            if (cacheBody is not null && !cacheSaved)
            {
                // The collect failed: the next cache is not saved (the cache it started from stays valid).
                try
                {
                    CollectCache.Discard(await cacheBody.ConfigureAwait(false));
                }
#pragma warning disable CA1031 // The collect's own exception is what propagates; a failed cache write only loses the cache.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    /// <summary>The ignore patterns the finder applies: the options' own, and the defaults unless turned off.</summary>
    private List<string> IgnorePatterns()
    {
        var ignores = new List<string>(_options.IgnorePatterns);
        if (_options.UseDefaultIgnorePatterns)
        {
            ignores.AddRange(StaticFileFinder.DefaultIgnorePatterns);
        }

        return ignores;
    }

    /// <summary>
    /// Compares the sources as found now with the last collect's files (both in ordinal order of logical path): the
    /// files that changed or appeared, then every file that refers to a path that changed, appeared or went (and so on
    /// up the references), get a new <see cref="SourceFile"/>; the others are the last collect's, finished. The last
    /// collect's lookups (<see cref="CollectState.ByPath"/>) are updated in place: that state is not used again.
    /// </summary>
    /// <returns>The files to process; the last collect's files that are gone; and the last collect's version of each
    /// file to process that it had, by logical path.</returns>
    private static (List<SourceFile> Work, List<SourceFile> Removed, Dictionary<string, SourceFile> Replaced) Affected(CollectState previous, IReadOnlyList<FoundFile> found,
        HashSet<string> rewriteExtensions, SourceFile[] files, Dictionary<SourceFile, SourceFile> known)
    {
        SourceFile[] before = previous.Files;
        int[] match = new int[found.Count];
        bool[] affected = new bool[found.Count];
        int[] now = new int[before.Length];
        var removed = new List<SourceFile>();
        var changedPaths = new Queue<string>();
        int p = 0;
        for (int i = 0; i < found.Count; i++)
        {
            FoundFile file = found[i];
            while (p < before.Length && string.CompareOrdinal(before[p].Found.LogicalPath, file.LogicalPath) < 0)
            {
                now[p] = -1;
                removed.Add(before[p++]);
            }

            if (p < before.Length && string.Equals(before[p].Found.LogicalPath, file.LogicalPath, StringComparison.Ordinal))
            {
                match[i] = p;
                now[p] = i;
                p++;
                if (previous.IsUnchanged(before[match[i]], file))
                {
                    continue;
                }
            }
            else
            {
                match[i] = -1;
            }

            affected[i] = true;
            changedPaths.Enqueue(file.LogicalPath);
        }

        while (p < before.Length)
        {
            now[p] = -1;
            removed.Add(before[p++]);
        }

        foreach (SourceFile gone in removed)
        {
            changedPaths.Enqueue(gone.Found.LogicalPath);
        }

        // Up the references: whoever refers to a changed path is processed again (its final content may change).
        while (changedPaths.TryDequeue(out string? path))
        {
            if (previous.Dependents.TryGetValue(path, out List<SourceFile>? dependents))
            {
                foreach (SourceFile dependent in dependents)
                {
                    int index = now[dependent.StateIndex];
                    if (index >= 0 && !affected[index])
                    {
                        affected[index] = true;
                        changedPaths.Enqueue(dependent.Found.LogicalPath);
                    }
                }
            }
        }

        Dictionary<string, SourceFile> byPath = previous.ByPath;
        foreach (SourceFile gone in removed)
        {
            byPath.Remove(gone.Found.LogicalPath);
        }

        var work = new List<SourceFile>();
        var replaced = new Dictionary<string, SourceFile>(StringComparer.Ordinal);
        for (int i = 0; i < found.Count; i++)
        {
            FoundFile file = found[i];
            SourceFile? last = match[i] >= 0 ? before[match[i]] : null;
            if (!affected[i])
            {
                files[i] = last!;
                continue;
            }

            // The same logical path and options give the same rewritability.
            var current = new SourceFile(file, last?.Rewritable ?? rewriteExtensions.Contains(Path.GetExtension(file.LogicalPath)));
            if (last is not null)
            {
                replaced[file.LogicalPath] = last;
            }

            if (last is not null && previous.IsUnchanged(last, file))
            {
                // Processed again only for what it refers to: its own hashes and references still hold.
                known[current] = last;
            }

            work.Add(files[i] = byPath[file.LogicalPath] = current);
        }

        return (work, removed, replaced);
    }

    /// <summary>The last collect's output under the same logical path and kind (fingerprinted or original), if any.</summary>
    private static Output? PreviousOutput(Dictionary<string, SourceFile> replaced, Output output) =>
        replaced.TryGetValue(output.LogicalPath, out SourceFile? before) ? output.Original ? before.OriginalOutput : before.FingerprintedOutput : null;

    /// <summary>Whether the destination's manifest is still the one the collect that left <paramref name="state"/> wrote.</summary>
    private async Task<bool> DescribesDestinationAsync(CollectState state, CancellationToken cancellationToken)
    {
        try
        {
            return state.Describes(await _destination.GetInfoAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false));
        }
        catch (ObjectNotFoundException)
        {
            return false;
        }
    }

    private static IEnumerable<Output> AllOutputs(SourceFile[] files)
    {
        foreach (SourceFile file in files)
        {
            yield return file.FingerprintedOutput!;
            if (file.OriginalOutput is { } original)
            {
                yield return original;
            }
        }
    }

    /// <summary>Every file and variant the collect's files publish.</summary>
    private static int CountUploads(SourceFile[] files) => AllOutputs(files).Sum(o => 1 + o.Variants.Count);

    private static ManifestEntry[] Entries(SourceFile[] files)
    {
        var entries = new ManifestEntry[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            entries[i] = files[i].Entry!.Value;
        }

        return entries;
    }

    /// <summary>The result of a collect whose files are all finished: counts over every file, the manifest on demand.</summary>
    private static CollectResult Summarize(SourceFile[] files, IReadOnlyList<FileConflict> conflicts, int copied, int deleted)
    {
        ManifestEntry[] entries = Entries(files);
        return new CollectResult
        {
            ManifestFactory = () => new StaticAssetManifest(entries.SelectMany(e => e.Original is null ? [e.Fingerprinted!] : new[] { e.Fingerprinted!, e.Original })),
            Found = files.Length,
            Copied = copied,
            Unmodified = CountUploads(files) - copied,
            PostProcessed = files.Count(f => f.Links.Count > 0),
            Compressed = AllOutputs(files).Sum(o => o.Variants.Count),
            Deleted = deleted,
            Missing = [.. files.SelectMany(f => f.Missing)],
            Conflicts = conflicts,
        };
    }

    /// <summary>
    /// Every stored name in use after this collect (outputs, variants, the manifest) → its logical path; a name two
    /// logical paths would use is refused. After a collect on this collector, the names of files not processed again
    /// are its names, and only the processed files' are checked.
    /// </summary>
    private Dictionary<string, string> EnsureDistinctNames(List<Output> outputs, CollectState? previous, Dictionary<string, SourceFile>? replaced, List<SourceFile> removed)
    {
        Dictionary<string, string> names;
        if (previous is null)
        {
            names = new Dictionary<string, string>(outputs.Count * 2, StringComparer.Ordinal) { [_options.ManifestName] = "the manifest" };
        }
        else
        {
            // Updated in place: the last collect's state is not used again.
            names = previous.Names;
            foreach (SourceFile before in replaced!.Values.Concat(removed))
            {
                foreach (Output? output in (ReadOnlySpan<Output?>)[before.FingerprintedOutput, before.OriginalOutput])
                {
                    if (output is not null)
                    {
                        names.Remove(output.StoredPath);
                        foreach (CompressedContent variant in output.Variants)
                        {
                            names.Remove(output.StoredPath + variant.Extension);
                        }
                    }
                }
            }
        }

        foreach (Output output in outputs)
        {
            Claim(output.StoredPath, output.LogicalPath);
            foreach (CompressedContent variant in output.Variants)
            {
                Claim(output.StoredPath + variant.Extension, output.LogicalPath);
            }
        }

        return names;

        void Claim(string name, string logicalPath)
        {
            if (!names.TryAdd(name, logicalPath) && names[name] != logicalPath)
            {
                throw new StaticManifestException($"'{name}' would be stored for both '{names[name]}' and '{logicalPath}' (is a previous collect's output inside a source folder?); nothing was written.");
            }
        }
    }

    /// <summary><c>{stem}.{hash12}{ext}</c>, the extension being the last one (<c>jquery.min.js</c> → <c>jquery.min.{h}.js</c>).</summary>
    public static string FingerprintedName(string logicalPath, string contentHashHex)
    {
        ArgumentNullException.ThrowIfNull(logicalPath);
        ArgumentNullException.ThrowIfNull(contentHashHex);
        int slash = logicalPath.LastIndexOf('/');
        int dot = logicalPath.LastIndexOf('.');
        string hash = contentHashHex[..Math.Min(12, contentHashHex.Length)];
        return dot > slash + 1
            ? $"{logicalPath[..dot]}.{hash}{logicalPath[dot..]}"
            : $"{logicalPath}.{hash}";
    }

    private static void FinishCycle(SourceFile[] members)
    {
        // References leaving the cycle get their final names first; the cycle's own references cannot (each name
        // depends on the others), so one hash over every member's partly rewritten content names them all.
        var inCycle = new HashSet<SourceFile>(members);
        byte[][] partial = [.. members.Select(m => m.Rewrite(l => !inCycle.Contains(l.Target)))];
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < members.Length; i++)
        {
            combined.AppendData(Encoding.UTF8.GetBytes(members[i].Found.LogicalPath));
            combined.AppendData([0]);
            combined.AppendData(partial[i]);
            combined.AppendData([0]);
        }

        string hash = Convert.ToHexStringLower(combined.GetHashAndReset());
        foreach (SourceFile member in members)
        {
            member.StoredPath = FingerprintedName(member.Found.LogicalPath, hash);
        }

        foreach (SourceFile member in members)
        {
            member.Finish(member.Rewrite(_ => true), keepStoredPath: true);
        }
    }

    private async Task CompressAsync(List<Output> outputs, Func<Output, IReadOnlyList<CompressedContent>?>? published, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var precompressor = new Precompressor(_options.Compression, PrecompressionCache());
        Output[] candidates = [.. outputs.Where(o => precompressor.GetSkipOutcome(o.StoredPath, o.Length) is null)];

        // One work item per distinct content (the original and the fingerprinted copy of an unchanged file share it),
        // so no parallel slot waits on another's compression; largest first, so the cores are not left with one big
        // file at the end.
        Output[][] groups = [.. candidates.GroupBy(o => o.Hashes.Hash, StringComparer.Ordinal).Select(g => g.ToArray()).OrderByDescending(g => g[0].Length)];
        int done = 0;
        var pending = new List<Output[]>(groups.Length);
        foreach (Output[] group in groups)
        {
            if (published is not null && ReusePublishedVariants(published, group))
            {
                done += group.Length;
            }
            else
            {
                pending.Add(group);
            }
        }

        progress?.Report(new CollectProgress("compressing", done, candidates.Length));
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (group, token) =>
        {
            Output first = group[0];
            (string hash, _) = first.Hashes;
            ReadOnlyMemory<byte> content = await first.ReadContentAsync(token).ConfigureAwait(false);
            if (first.File.Final is null && first.File.Source is null && Convert.ToHexStringLower(SHA256.HashData(content.Span)) != hash)
            {
                // Read from disk again (not held in memory): variants of other bytes must never be filed under this
                // hash, in the destination or in the precompression cache.
                throw new StaleSourceException(first.File.Found.PhysicalPath, first.File.FromCache);
            }

            PrecompressionResult result = await precompressor.CompressAsync(first.StoredPath, content, hash, token).ConfigureAwait(false);
            IReadOnlyList<CompressedContent> variants = [.. result.Variants.Select(v => new CompressedContent(v.Coding, v.FileExtension, v.Content, v.Content.Length, v.ContentHash))];
            foreach (Output output in group)
            {
                output.Variants = variants;
            }

            progress?.Report(new CollectProgress("compressing", Interlocked.Add(ref done, group.Length), candidates.Length));
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives every output of a group (one content) the variants the destination holds for it already, when
    /// <paramref name="published"/> knows them for each of its outputs; false (nothing changed) otherwise.
    /// </summary>
    private static bool ReusePublishedVariants(Func<Output, IReadOnlyList<CompressedContent>?> published, Output[] group)
    {
        var found = new IReadOnlyList<CompressedContent>[group.Length];
        for (int i = 0; i < group.Length; i++)
        {
            if (published(group[i]) is not { } variants)
            {
                return false;
            }

            found[i] = variants;
        }

        for (int i = 0; i < group.Length; i++)
        {
            group[i].Variants = found[i];
        }

        return true;
    }

    /// <summary>
    /// The precompression cache the options ask for: an instance, a folder, or beside the collect cache file. A dry
    /// run reads it but writes nothing to it.
    /// </summary>
    private IPrecompressionCache? PrecompressionCache()
    {
        IPrecompressionCache? cache = _options.PrecompressionCache
            ?? (_options.PrecompressionCacheDirectory is { } directory ? new DirectoryPrecompressionCache(directory)
                : _options.CacheFile is { } cacheFile ? new DirectoryPrecompressionCache(cacheFile + ".variants")
                : null);
        if (cache is null)
        {
            return null;
        }

        cache = new TolerantPrecompressionCache(cache, _logger);
        return _options.DryRun ? new ReadOnlyPrecompressionCache(cache) : cache;
    }

    /// <summary>
    /// A precompression cache whose file-system errors cost only its shortcut (a miss, an entry not kept), as the
    /// collect cache's do: a cache folder that cannot be created must not fail the collect. Logged once per collect.
    /// </summary>
    private sealed class TolerantPrecompressionCache(IPrecompressionCache inner, ILogger logger) : IPrecompressionCache
    {
        private int _logged;

        public async ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.GetAsync(contentHash, settingsKey, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Warn(exception);
                return null;
            }
        }

        public async ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken)
        {
            try
            {
                await inner.SetAsync(contentHash, settingsKey, variants, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Warn(exception);
            }
        }

        private void Warn(Exception exception)
        {
            if (Interlocked.Exchange(ref _logged, 1) == 0)
            {
                Log.PrecompressionCacheUnusable(logger, inner is DirectoryPrecompressionCache directory ? directory.Directory : inner.GetType().Name, exception.Message);
            }
        }
    }

    /// <summary>A precompression cache that is looked up but never written (for a dry run).</summary>
    private sealed class ReadOnlyPrecompressionCache(IPrecompressionCache inner) : IPrecompressionCache
    {
        public ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken) =>
            inner.GetAsync(contentHash, settingsKey, cancellationToken);

        public ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;
    }

    /// <summary>
    /// The destination as the cache remembers it, when its manifest is still the one the last collect wrote (same
    /// ETag, length and time): the listing and the previous manifest are then not read. Null otherwise.
    /// </summary>
    private async Task<CachedDestination?> TrustedDestinationAsync(CollectCache cache, CancellationToken cancellationToken)
    {
        if (cache.Destination is not { } known)
        {
            return null;
        }

        try
        {
            StorageObjectInfo info = await _destination.GetInfoAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false);
            return info.ETag == known.ManifestETag && info.Length == known.ManifestLength && info.LastModified.UtcTicks == known.ManifestLastModifiedTicks ? known : null;
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private async Task<(int Copied, Dictionary<string, (long Length, string? Hash)> Existing, string? PreviousManifestSha)> PublishAsync(List<Output> outputs, Dictionary<string, SourceFile>? replaced, CollectCache? trusted, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        // What the destination holds (name → length, and content hash where known): from the last collect on this
        // collector or the cache when the destination is as that collect left it, otherwise from one listing and the
        // previous manifest.
        bool known = replaced is not null || trusted is not null;
        var existing = new Dictionary<string, (long Length, string? Hash)>(known ? 0 : outputs.Count, StringComparer.Ordinal);
        string? previousManifestSha = null;
        if (!known)
        {
            StaticAssetManifest? previousManifest;
            (previousManifest, previousManifestSha) = await ReadPreviousManifestAsync(cancellationToken).ConfigureAwait(false);
            Dictionary<string, string> previousHashes = PreviousHashes(previousManifest);
            var modified = new List<(string Name, DateTimeOffset LastModified)>();
            DateTimeOffset? manifestWritten = null;
            await foreach (StorageEntry entry in _destination.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!entry.IsDirectory)
                {
                    existing[entry.Name] = (entry.Length ?? -1, previousHashes.GetValueOrDefault(entry.Name));
                    if (entry.Name == _options.ManifestName)
                    {
                        manifestWritten = entry.LastModified;
                    }
                    else if (entry.LastModified is { } lastModified)
                    {
                        modified.Add((entry.Name, lastModified));
                    }
                }
            }

            // A file written after the manifest was (by a collect that failed before writing its own) may not hold
            // what the manifest says: its hash is not taken from the manifest, so an original is uploaded again.
            if (manifestWritten is { } written)
            {
                foreach ((string name, DateTimeOffset lastModified) in modified)
                {
                    if (lastModified > written && existing[name].Hash is not null)
                    {
                        existing[name] = (existing[name].Length, null);
                    }
                }
            }
        }

        // Every file to publish: the outputs and their variants, with the hash that says whether the destination has it.
        // No delegate or content type per entry: most of them are already there, and only the others are opened.
        var uploads = new List<(string Name, string Hash, long Length, Output Output, int Variant)>(outputs.Count);
        foreach (Output output in outputs)
        {
            (string hash, _) = output.Hashes;
            uploads.Add((output.StoredPath, hash, output.Length, output, -1));
            for (int v = 0; v < output.Variants.Count; v++)
            {
                CompressedContent variant = output.Variants[v];
                uploads.Add((output.StoredPath + variant.Extension, variant.Hash, variant.Length, output, v));
            }
        }

        // Decided before any upload (the uploads below add to the same dictionary); what is there already costs nothing more.
        // Only a fingerprinted file's name says what it holds: its variants depend on the compression settings too, and
        // an original's name says nothing, so those are compared by content hash.
        var pending = new List<int>();
        for (int index = 0; index < uploads.Count; index++)
        {
            var upload = uploads[index];
            // A trusted destination holds what each file published last time, which its cache entry says.
            bool present = replaced is not null
                ? IsPublishedBefore(replaced, upload.Output, upload.Variant, upload.Length, upload.Hash)
                : trusted is not null
                ? trusted.IsPublished(upload.Output, upload.Variant, upload.Length, upload.Hash)
                : existing.TryGetValue(upload.Name, out (long Length, string? Hash) at)
                    && (at.Length < 0 || at.Length == upload.Length)
                    && ((upload.Variant < 0 && !upload.Output.Original) || at.Hash == upload.Hash);
            if (!present)
            {
                pending.Add(index);
            }
        }

        // Original names are overwritten in place: until this collect's cache is saved, the old one would trust what
        // they held before. If this collect fails midway and the sources are then reverted, that trust would be wrong.
        if (known && _options.CacheFile is { } cacheFile && pending.Exists(i => uploads[i].Output.Original))
        {
            CollectCache.Discard(cacheFile);
        }

        int copied = 0;
        int done = uploads.Count - pending.Count;
        progress?.Report(new CollectProgress("publishing", done, uploads.Count));
        var uploaded = new ConcurrentDictionary<string, (long Length, string? Hash)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelUploads, CancellationToken = cancellationToken }, async (index, token) =>
        {
            var upload = uploads[index];
            Stream content = upload.Variant < 0
                ? await upload.Output.OpenAsync(token).ConfigureAwait(false)
                : new MemoryStream((upload.Output.Variants[upload.Variant].Content
                    ?? throw new InvalidOperationException($"The variant '{upload.Name}' was taken from the collect cache as published, but the destination does not have it.")).ToArray(), writable: false);
            string contentType = upload.Variant < 0 ? upload.Output.ContentType : "application/octet-stream";
            await using (content.ConfigureAwait(false))
            {
                await _destination.SaveAsync(upload.Name, content, new SaveOptions { Overwrite = true, ContentType = contentType }, token).ConfigureAwait(false);
            }

            uploaded[upload.Name] = (upload.Length, upload.Hash);
            Interlocked.Increment(ref copied);
            progress?.Report(new CollectProgress("publishing", Interlocked.Increment(ref done), uploads.Count));
        }).ConfigureAwait(false);

        // The destination now: what it had, plus what was uploaded; every name this collect publishes has a known hash.
        foreach ((string name, (long Length, string? Hash) file) in uploaded)
        {
            existing[name] = file;
        }

        foreach (var upload in uploads)
        {
            if (existing.TryGetValue(upload.Name, out (long Length, string? Hash) at) && at.Hash is null)
            {
                existing[upload.Name] = (at.Length, upload.Hash);
            }
        }

        return (copied, existing, previousManifestSha);
    }

    /// <summary>Whether the last collect on this collector published this output (or variant) with this content, under this name.</summary>
    private static bool IsPublishedBefore(Dictionary<string, SourceFile> replaced, Output output, int variant, long length, string hash)
    {
        if (PreviousOutput(replaced, output) is not { } before || before.StoredPath != output.StoredPath)
        {
            return false;
        }

        if (variant < 0)
        {
            return before.Length == length && before.Hashes.Hash == hash;
        }

        string extension = output.Variants[variant].Extension;
        return before.Variants.Any(v => v.Extension == extension && v.Length == length && v.Hash == hash);
    }

    /// <summary>Stored path → content hash of every file and variant of the previous manifest (one dictionary, not a scan per name).</summary>
    private static Dictionary<string, string> PreviousHashes(StaticAssetManifest? previous)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (previous is null)
        {
            return hashes;
        }

        foreach (StaticAsset asset in previous.Assets.Values)
        {
            hashes[asset.StoredPath] = asset.ContentHash;
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                hashes.TryAdd(encoding.StoredPath, encoding.ContentHash);
            }
        }

        return hashes;
    }

    /// <summary>The destination's manifest, and the SHA-256 of its bytes (so an identical new one is not written again).</summary>
    private async Task<(StaticAssetManifest? Manifest, string? Sha256)> ReadPreviousManifestAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await _destination.ReadAllBytesAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return (null, null);
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            return (StaticAssetManifest.Parse(bytes), sha);
        }
        catch (StaticManifestException exception)
        {
            // An unreadable previous manifest only costs re-uploads of original names.
            Log.PreviousManifestUnreadable(_logger, _options.ManifestName, exception.Message);
            return (null, sha);
        }
    }

    private async Task<List<string>> ListNamesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (StorageEntry entry in _destination.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!entry.IsDirectory)
            {
                names.Add(entry.Name);
            }
        }

        return names;
    }

    private async Task<int> PruneAsync(SourceFile[] files, IEnumerable<string> present, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { _options.ManifestName };
        foreach (ManifestEntry entry in Entries(files))
        {
            foreach (StaticAsset? asset in (ReadOnlySpan<StaticAsset?>)[entry.Fingerprinted, entry.Original])
            {
                if (asset is null)
                {
                    continue;
                }

                keep.Add(asset.StoredPath);
                foreach (StaticAssetEncoding encoding in asset.Encodings)
                {
                    keep.Add(encoding.StoredPath);
                }
            }
        }

        string[] stale = [.. present.Where(name => !keep.Contains(name))];
        int deleted = 0;
        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelUploads, CancellationToken = cancellationToken }, async (name, token) =>
        {
            if (await _destination.DeleteAsync(name, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref deleted);
            }

            progress?.Report(new CollectProgress("pruning", deleted, stale.Length));
        }).ConfigureAwait(false);
        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Collected {Found} static files: {Copied} copied, {Unmodified} unmodified, {PostProcessed} post-processed, {Compressed} variants compressed")]
        public static partial void Collected(ILogger logger, int found, int copied, int unmodified, int postProcessed, int compressed);

        [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Missing static reference (left unchanged): {Reference}")]
        public static partial void MissingReference(ILogger logger, string reference);

        [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "{LogicalPath} is in several sources; using {Used}, ignoring {IgnoredCount} other(s)")]
        public static partial void Conflict(ILogger logger, string logicalPath, string used, int ignoredCount);

        [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "The collect cache {CacheFile} took a changed file for unchanged ({Cause}); collecting again without it")]
        public static partial void StaleCache(ILogger logger, string cacheFile, string cause);

        [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "The collect cache {CacheFile} could not be written ({Cause}); the collect itself succeeded, the next one reads every source again")]
        public static partial void CacheNotSaved(ILogger logger, string cacheFile, string cause);

        [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "The precompression cache {Cache} could not be used ({Cause}); files are compressed without it")]
        public static partial void PrecompressionCacheUnusable(ILogger logger, string cache, string cause);

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "The previous manifest {Manifest} could not be read ({Cause}); unchanged original names are uploaded again")]
        public static partial void PreviousManifestUnreadable(ILogger logger, string manifest, string cause);
    }
}
