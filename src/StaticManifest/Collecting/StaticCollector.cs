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
    /// <param name="progress">Receives progress per stage, if given.</param>
    /// <param name="cancellationToken">Cancels the collect (the previous manifest stays in place).</param>
    /// <returns>What was done.</returns>
    /// <exception cref="MissingReferencesException">Strict mode found references to missing files; nothing was written.</exception>
    public async Task<CollectResult> CollectAsync(IProgress<CollectProgress>? progress = null, CancellationToken cancellationToken = default)
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
                result = await CollectCoreAsync(progress, useCache: true, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleSourceException stale) when (stale.FromCache && _options.CacheFile is not null)
            {
                // The cache took a file for unchanged (same length and times) that is not: it cannot be trusted, so
                // this collect runs again without it (a publish is idempotent and the manifest is written last).
                Log.StaleCache(_logger, _options.CacheFile, stale.Message);
                result = await CollectCoreAsync(progress, useCache: false, cancellationToken).ConfigureAwait(false);
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

    private async Task<CollectResult> CollectCoreAsync(IProgress<CollectProgress>? progress, bool useCache, CancellationToken cancellationToken)
    {
        var ignores = new List<string>(_options.IgnorePatterns);
        if (_options.UseDefaultIgnorePatterns)
        {
            ignores.AddRange(StaticFileFinder.DefaultIgnorePatterns);
        }

        DateTime started = DateTime.UtcNow;

        // The cache file is read while the sources are walked (a re-collect's two fixed costs, on two cores).
        Task<CollectCache>? cacheLoad = _options.CacheFile is { } cachePath
            ? Task.Run(() => useCache ? CollectCache.Load(cachePath, CollectCache.KeyOf(_options)) : CollectCache.Empty(CollectCache.KeyOf(_options)), cancellationToken)
            : null;
        FindResult found = StaticFileFinder.Find(_options.Sources, ignores);
        foreach (FileConflict conflict in found.Conflicts)
        {
            Log.Conflict(_logger, conflict.LogicalPath, conflict.Used, conflict.Ignored.Count);
        }

        var rewriteExtensions = new HashSet<string>(_options.RewriteExtensions, StringComparer.OrdinalIgnoreCase);
        SourceFile[] files = [.. found.Files.Select(f => new SourceFile(f, rewriteExtensions.Contains(Path.GetExtension(f.LogicalPath))))];
        var byPath = files.ToDictionary(f => f.Found.LogicalPath, StringComparer.Ordinal);

        // 1. Read, hash and scan, in parallel: each source file is read once — or not at all when the cache knows it
        // (same physical path, length and modification time).
        CollectCache? cache = cacheLoad is null ? null : await cacheLoad.ConfigureAwait(false);
        int read = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (file, token) =>
        {
            if (cache?.TryGetSource(file.Found, file.Rewritable) is { } cached)
            {
                file.UseCached(cached);
            }
            else
            {
                await file.LoadAsync(token).ConfigureAwait(false);
            }

            progress?.Report(new CollectProgress("processing", Interlocked.Increment(ref read), files.Length));
        }).ConfigureAwait(false);

        // 2. Resolve references; in strict mode any missing one stops the collect before a byte is written.
        var missing = new List<MissingReference>();
        foreach (SourceFile file in files.Where(f => f.References.Count > 0))
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
                        missing.Add(new MissingReference(file.Found.LogicalPath, reference.Line, reference.Column, reference.Url, resolved.TargetPath));
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
        // their content, so their names are known first.
        foreach (SourceFile file in files.Where(f => f.Links.Count == 0))
        {
            file.FinishUnchanged();
        }

        SourceFile[] rewritable = [.. files.Where(f => f.Links.Count > 0)];
        int postProcessed = 0;
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

            postProcessed += members.Length;
        }

        // 4. The manifest's assets: every fingerprinted file, and the originals unless only fingerprints are kept.
        var outputs = new List<Output>(files.Length * 2);
        foreach (SourceFile file in files)
        {
            outputs.Add(new Output(file.StoredPath!, file.Found.LogicalPath, file, Original: false));
            if (_options.KeepOriginals)
            {
                outputs.Add(new Output(file.Found.LogicalPath, file.Found.LogicalPath, file, Original: true));
            }
        }

        // 5. Precompression, once per distinct content; with a trusted destination (the collect cache's), content it
        // holds already keeps the variants published then, without reading or compressing anything.
        CachedDestination? known = cache is null || _options.DryRun ? null : await TrustedDestinationAsync(cache, cancellationToken).ConfigureAwait(false);
        int compressed = 0;
        if (_options.Precompress)
        {
            compressed = await CompressAsync(outputs, known is null ? null : cache, progress, cancellationToken).ConfigureAwait(false);
        }

        // Two files must never be stored under one name (a source folder holding a previous collect's output, say,
        // has both app.css and app.1a2b3c4d5e6f.css): refused before anything is written.
        EnsureDistinctNames(outputs);

        // The manifest is written straight from the files (sorted by logical path already); the StaticAssetManifest a
        // caller may read from the result is built only if it is asked for.
        ManifestEntry[] entries = ManifestEntries(files, outputs);
        Func<StaticAssetManifest> manifest = () => new StaticAssetManifest(entries.SelectMany(e => e.Original is null ? [e.Fingerprinted!] : new[] { e.Fingerprinted!, e.Original }));
        if (_options.DryRun)
        {
            return new CollectResult { ManifestFactory = manifest, Found = files.Length, PostProcessed = postProcessed, Compressed = compressed, Missing = missing, Conflicts = found.Conflicts };
        }

        // 6. Publish what changed, then the manifest, then (optionally) prune.

        // The next cache's content is known now; it is serialized while this one publishes, and saved (with the
        // destination's new manifest version) only when the publish succeeded.
        Task<string>? cacheBody = cache is null ? null : Task.Run(() => cache.Serialize(files, outputs, _options.CacheFile!, started), CancellationToken.None);
        bool cacheSaved = false;
        try
        {
            (int copied, int unmodified, Dictionary<string, (long Length, string? Hash)> existing, string? previousManifestSha) = await PublishAsync(outputs, known is null ? null : cache, progress, cancellationToken).ConfigureAwait(false);
            progress?.Report(new CollectProgress("manifest", 0, 1));
            // One pooled buffer of about the right size (no doubling copies of a multi-megabyte manifest), hashed and saved as it is.
            using var manifestBuffer = new Internal.PooledBufferWriter(4096 + (entries.Length * 512));
            StaticAssetManifest.Write(manifestBuffer, entries);
            string manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifestBuffer.WrittenMemory.Span));
            // Not written again when the destination has these very bytes (nothing changed): its version stays, and a
            // server or CDN polling it sees no change.
            if ((known?.ManifestSha256 ?? previousManifestSha) != manifestSha)
            {
                using Stream manifestContent = manifestBuffer.OpenRead();
                await _destination.SaveAsync(_options.ManifestName, manifestContent, new SaveOptions { Overwrite = true, ContentType = "application/json", CacheControl = "no-cache" }, cancellationToken).ConfigureAwait(false);
            }

            // The version of the manifest this collect leaves, taken at once (not after a prune's listing), for the cache.
            StorageObjectInfo? manifestInfo = cache is null ? null : await _destination.GetInfoAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false);
            progress?.Report(new CollectProgress("manifest", 1, 1));
            int deleted = 0;
            if (_options.PruneStale)
            {
                // What the cache knows is what the last collects published, not what else may be there: prune lists.
                IEnumerable<string> present = known is null ? existing.Keys : await ListNamesAsync(cancellationToken).ConfigureAwait(false);
                deleted = await PruneAsync(entries, present, progress, cancellationToken).ConfigureAwait(false);
            }

            if (cache is not null)
            {
                StorageObjectInfo info = manifestInfo!;
                cache.Destination = info.ETag is null ? null : new CachedDestination(info.ETag, info.Length, info.LastModified.UtcTicks, manifestSha);
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

            Log.Collected(_logger, files.Length, copied, unmodified, postProcessed, compressed);
            return new CollectResult
            {
                ManifestFactory = manifest,
                Found = files.Length,
                Copied = copied,
                Unmodified = unmodified,
                PostProcessed = postProcessed,
                Compressed = compressed,
                Deleted = deleted,
                Missing = missing,
                Conflicts = found.Conflicts,
            };
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

    private void EnsureDistinctNames(List<Output> outputs)
    {
        var names = new Dictionary<string, string>(outputs.Count * 2, StringComparer.Ordinal) { [_options.ManifestName] = "the manifest" };
        foreach (Output output in outputs)
        {
            Claim(output.StoredPath, output.LogicalPath);
            foreach (CompressedContent variant in output.Variants)
            {
                Claim(output.StoredPath + variant.Extension, output.LogicalPath);
            }
        }

        void Claim(string name, string logicalPath)
        {
            if (!names.TryAdd(name, logicalPath) && names[name] != logicalPath)
            {
                throw new StaticManifestException($"'{name}' would be stored for both '{names[name]}' and '{logicalPath}' (is a previous collect's output inside a source folder?); nothing was written.");
            }
        }
    }

    /// <summary>One manifest entry per file, in the files' order (ordinal by logical path, as the finder returns them).</summary>
    private static ManifestEntry[] ManifestEntries(SourceFile[] files, List<Output> outputs)
    {
        var entries = new ManifestEntry[files.Length];
        var index = new Dictionary<SourceFile, int>(files.Length);
        for (int i = 0; i < files.Length; i++)
        {
            index[files[i]] = i;
            entries[i] = new ManifestEntry(files[i].Found.LogicalPath, null, null);
        }

        foreach (Output output in outputs)
        {
            ref ManifestEntry entry = ref entries[index[output.File]];
            entry = output.Original ? entry with { Original = output.ToAsset() } : entry with { Fingerprinted = output.ToAsset() };
        }

        return entries;
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

    private async Task<int> CompressAsync(List<Output> outputs, CollectCache? trusted, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var precompressor = new Precompressor(_options.Compression, PrecompressionCache());
        Output[] candidates = [.. outputs.Where(o => precompressor.GetSkipOutcome(o.StoredPath, o.Length) is null)];

        // One work item per distinct content (the original and the fingerprinted copy of an unchanged file share it),
        // so no parallel slot waits on another's compression; largest first, so the cores are not left with one big
        // file at the end.
        Output[][] groups = [.. candidates.GroupBy(o => o.Hashes.Hash, StringComparer.Ordinal).Select(g => g.ToArray()).OrderByDescending(g => g[0].Length)];
        int done = 0;
        int produced = 0;
        var pending = new List<Output[]>(groups.Length);
        foreach (Output[] group in groups)
        {
            if (trusted is not null && ReusePublishedVariants(trusted, group))
            {
                produced += group.Sum(o => o.Variants.Count);
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

            Interlocked.Add(ref produced, variants.Count * group.Length);
            progress?.Report(new CollectProgress("compressing", Interlocked.Add(ref done, group.Length), candidates.Length));
        }).ConfigureAwait(false);
        return produced;
    }

    /// <summary>
    /// Gives every output of a group (one content) the variants the trusted destination holds for it, when the cache
    /// knows them for each of its outputs; false (nothing changed) otherwise.
    /// </summary>
    private static bool ReusePublishedVariants(CollectCache trusted, Output[] group)
    {
        var found = new IReadOnlyList<CachedVariant>[group.Length];
        for (int i = 0; i < group.Length; i++)
        {
            if (trusted.TryGetPublishedVariants(group[i].File, group[i].Original, group[i].Hashes.Hash) is not { } variants)
            {
                return false;
            }

            found[i] = variants;
        }

        for (int i = 0; i < group.Length; i++)
        {
            group[i].Variants = [.. found[i].Select(v => new CompressedContent(ContentCodings.FromFileExtension(v.Extension), v.Extension, null, v.Length, v.Hash))];
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

    private async Task<(int Copied, int Unmodified, Dictionary<string, (long Length, string? Hash)> Existing, string? PreviousManifestSha)> PublishAsync(List<Output> outputs, CollectCache? trusted, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        // What the destination holds (name → length, and content hash where known): from the cache when the
        // destination is as the last collect left it, otherwise from one listing and the previous manifest.
        var existing = new Dictionary<string, (long Length, string? Hash)>(trusted is null ? outputs.Count : 0, StringComparer.Ordinal);
        string? previousManifestSha = null;
        if (trusted is null)
        {
            StaticAssetManifest? previous;
            (previous, previousManifestSha) = await ReadPreviousManifestAsync(cancellationToken).ConfigureAwait(false);
            Dictionary<string, string> previousHashes = PreviousHashes(previous);
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
            bool present = trusted is not null
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
        if (trusted is not null && _options.CacheFile is { } cacheFile && pending.Exists(i => uploads[i].Output.Original))
        {
            CollectCache.Discard(cacheFile);
        }

        int unmodified = uploads.Count - pending.Count;
        int copied = 0;
        int done = unmodified;
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

        return (copied, unmodified, existing, previousManifestSha);
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

    private async Task<int> PruneAsync(ManifestEntry[] entries, IEnumerable<string> present, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { _options.ManifestName };
        foreach (ManifestEntry entry in entries)
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
