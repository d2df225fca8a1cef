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
        var ignores = new List<string>(_options.IgnorePatterns);
        if (_options.UseDefaultIgnorePatterns)
        {
            ignores.AddRange(StaticFileFinder.DefaultIgnorePatterns);
        }

        FindResult found = StaticFileFinder.Find(_options.Sources, ignores);
        foreach (FileConflict conflict in found.Conflicts)
        {
            Log.Conflict(_logger, conflict.LogicalPath, conflict.Used, conflict.Ignored.Count);
        }

        var rewriteExtensions = new HashSet<string>(_options.RewriteExtensions, StringComparer.OrdinalIgnoreCase);
        SourceFile[] files = [.. found.Files.Select(f => new SourceFile(f, rewriteExtensions.Contains(Path.GetExtension(f.LogicalPath))))];
        var byPath = files.ToDictionary(f => f.Found.LogicalPath, StringComparer.Ordinal);

        // 1. Read, hash and scan, in parallel: each source file is read once.
        int read = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (file, token) =>
        {
            await file.LoadAsync(token).ConfigureAwait(false);
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
                members[0].Finish(members[0].Rewrite(_ => true));
            }
            else
            {
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

        // 5. Precompression, once per distinct content.
        int compressed = 0;
        if (_options.Precompress)
        {
            compressed = await CompressAsync(outputs, progress, cancellationToken).ConfigureAwait(false);
        }

        var manifest = new StaticAssetManifest(outputs.Select(o => o.ToAsset()));
        if (_options.DryRun)
        {
            return new CollectResult { Manifest = manifest, Found = files.Length, PostProcessed = postProcessed, Compressed = compressed, Missing = missing, Conflicts = found.Conflicts };
        }

        // 6. Publish what changed, then the manifest, then (optionally) prune.
        (int copied, int unmodified, IReadOnlyDictionary<string, long> existing) = await PublishAsync(outputs, progress, cancellationToken).ConfigureAwait(false);
        progress?.Report(new CollectProgress("manifest", 0, 1));
        await _destination.SaveBytesAsync(_options.ManifestName, manifest.ToUtf8Bytes(), new SaveOptions { Overwrite = true, ContentType = "application/json", CacheControl = "no-cache" }, cancellationToken).ConfigureAwait(false);
        progress?.Report(new CollectProgress("manifest", 1, 1));
        int deleted = _options.PruneStale ? await PruneAsync(manifest, existing, progress, cancellationToken).ConfigureAwait(false) : 0;
        Log.Collected(_logger, files.Length, copied, unmodified, postProcessed, compressed);
        return new CollectResult
        {
            Manifest = manifest,
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

    private async Task<int> CompressAsync(List<Output> outputs, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var precompressor = new Precompressor(_options.Compression);
        var byContent = new ConcurrentDictionary<string, Task<IReadOnlyList<CompressedContent>>>(StringComparer.Ordinal);
        Output[] candidates = [.. outputs.Where(o => precompressor.GetSkipOutcome(o.StoredPath, o.Length) is null)];
        int done = 0;
        int produced = 0;
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (output, token) =>
        {
            // The original and the fingerprinted copy of an unchanged file share content: compress it once.
            (string hash, _) = output.Hashes;
            IReadOnlyList<CompressedContent> variants = await byContent.GetOrAdd(hash, async _ =>
            {
                ReadOnlyMemory<byte> content = await output.ReadContentAsync(token).ConfigureAwait(false);
                PrecompressionResult result = await precompressor.CompressAsync(output.StoredPath, content, hash, token).ConfigureAwait(false);
                return [.. result.Variants.Select(v => new CompressedContent(v.Coding, v.FileExtension, v.Content, v.ContentHash))];
            }).ConfigureAwait(false);
            output.Variants = variants;
            Interlocked.Add(ref produced, variants.Count);
            progress?.Report(new CollectProgress("compressing", Interlocked.Increment(ref done), candidates.Length));
        }).ConfigureAwait(false);
        return produced;
    }

    private async Task<(int Copied, int Unmodified, IReadOnlyDictionary<string, long> Existing)> PublishAsync(List<Output> outputs, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        StaticAssetManifest? previous = await ReadPreviousManifestAsync(cancellationToken).ConfigureAwait(false);
        var existing = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (StorageEntry entry in _destination.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!entry.IsDirectory)
            {
                existing[entry.Name] = entry.Length ?? -1;
            }
        }

        // Every file to publish: the outputs and their variants, with the hash that says whether the destination has it.
        var uploads = new List<(string Name, string Hash, long Length, Func<CancellationToken, ValueTask<Stream>> Open, string ContentType, bool ContentAddressed)>();
        foreach (Output output in outputs)
        {
            (string hash, _) = output.Hashes;
            uploads.Add((output.StoredPath, hash, output.Length, output.OpenAsync, output.ContentType, !output.Original));
            foreach (CompressedContent variant in output.Variants)
            {
                ReadOnlyMemory<byte> bytes = variant.Content;
                uploads.Add((output.StoredPath + variant.Extension, variant.Hash, bytes.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(bytes.ToArray(), writable: false)), "application/octet-stream", !output.Original));
            }
        }

        int copied = 0;
        int unmodified = 0;
        int done = 0;
        await Parallel.ForEachAsync(uploads, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelUploads, CancellationToken = cancellationToken }, async (upload, token) =>
        {
            bool present = existing.TryGetValue(upload.Name, out long length) && (length < 0 || length == upload.Length);
            bool same = present && (upload.ContentAddressed || PreviousHash(previous, upload.Name) == upload.Hash);
            if (same)
            {
                Interlocked.Increment(ref unmodified);
            }
            else
            {
                Stream content = await upload.Open(token).ConfigureAwait(false);
                await using (content.ConfigureAwait(false))
                {
                    await _destination.SaveAsync(upload.Name, content, new SaveOptions { Overwrite = true, ContentType = upload.ContentType }, token).ConfigureAwait(false);
                }

                Interlocked.Increment(ref copied);
            }

            progress?.Report(new CollectProgress("publishing", Interlocked.Increment(ref done), uploads.Count));
        }).ConfigureAwait(false);
        return (copied, unmodified, existing);
    }

    private static string? PreviousHash(StaticAssetManifest? previous, string name)
    {
        if (previous is null)
        {
            return null;
        }

        if (previous.TryGetByStoredPath(name, out StaticAsset? asset))
        {
            return asset.ContentHash;
        }

        foreach (StaticAsset candidate in previous.Assets.Values)
        {
            foreach (StaticAssetEncoding encoding in candidate.Encodings)
            {
                if (encoding.StoredPath == name)
                {
                    return encoding.ContentHash;
                }
            }
        }

        return null;
    }

    private async Task<StaticAssetManifest?> ReadPreviousManifestAsync(CancellationToken cancellationToken)
    {
        try
        {
            byte[] bytes = await _destination.ReadAllBytesAsync(_options.ManifestName, cancellationToken).ConfigureAwait(false);
            return StaticAssetManifest.Parse(bytes);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        catch (StaticManifestException exception)
        {
            // An unreadable previous manifest only costs re-uploads of original names.
            Log.PreviousManifestUnreadable(_logger, _options.ManifestName, exception.Message);
            return null;
        }
    }

    private async Task<int> PruneAsync(StaticAssetManifest manifest, IReadOnlyDictionary<string, long> existing, IProgress<CollectProgress>? progress, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { _options.ManifestName };
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            keep.Add(asset.StoredPath);
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                keep.Add(encoding.StoredPath);
            }
        }

        string[] stale = [.. existing.Keys.Where(name => !keep.Contains(name))];
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

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "The previous manifest {Manifest} could not be read ({Cause}); unchanged original names are uploaded again")]
        public static partial void PreviousManifestUnreadable(ILogger logger, string manifest, string cause);
    }
}
