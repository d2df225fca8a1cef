using System.Security.Cryptography;
using System.Text;
using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// What a collect remembers between runs in <see cref="StaticCollectOptions.CacheFile"/>, so that a re-collect reads only
/// what changed: per source file (physical path, length, modification time) its SHA-256, SRI integrity and, for CSS and
/// JavaScript, the references found in it; per rewritten file its final hashes (keyed by its source hash and the
/// final names of the files it refers to); and what the destination held after the last publish, valid while the
/// destination's manifest is still the one that collect wrote.
/// </summary>
/// <remarks>
/// Any problem reading the file (missing, truncated, another version, other options) gives an empty cache: the
/// collect then does everything, as without a cache. The file is replaced atomically (temp file + rename).
/// </remarks>
internal sealed class CollectCache
{
    private const string Magic = "wharf-collect-cache";
    /// <summary>
    /// The file format, and what the cached references mean: version 2 added <see cref="AssetReferenceKind.JsNewUrl"/>, so
    /// a version-1 file's JavaScript references lack it and must not be used (the scanners changed, not the file);
    /// version 3 keeps what was published per source file instead of a list of every stored name; version 4 keeps
    /// each file's change time too; version 5 added <see cref="AssetReferenceKind.JsImportMetaResolve"/> (a version-4
    /// file's JavaScript references lack it).
    /// </summary>
    private const int Version = 5;

    /// <summary>A file modified this recently when the cache is written is not remembered (its time may not change on the next write).</summary>
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly string _key;
    private readonly Dictionary<string, CachedSource> _sources;
    private readonly Dictionary<string, CachedFinal> _finals;

    private CollectCache(string key, Dictionary<string, CachedSource> sources, Dictionary<string, CachedFinal> finals, CachedDestination? destination)
    {
        _key = key;
        _sources = sources;
        _finals = finals;
        Destination = destination;
    }

    /// <summary>The destination as the last collect left it, or null.</summary>
    public CachedDestination? Destination { get; set; }

    /// <summary>What makes cached references, final hashes and published variants valid: the options that change them.</summary>
    public static string KeyOf(StaticCollectOptions options) =>
        $"{options.StaticUrl}\n{string.Join(',', options.RewriteExtensions.Select(e => e.ToLowerInvariant()).Order(StringComparer.Ordinal))}\n{options.ManifestName}"
        + $"\n{CompressionKey(options)}";

    /// <summary>
    /// What decides a file's variants: whether it is tried at all (minimum length, skip list) and what trying it gives
    /// (the precompressor's settings key). "No variants" published for a file that was not tried must not be reused
    /// once it is.
    /// </summary>
    private static string CompressionKey(StaticCollectOptions options)
    {
        if (!options.Precompress)
        {
            return "no-compression";
        }

        Compression.PrecompressionOptions compression = options.Compression ?? new();
        string skipped = string.Join(',', compression.SkipExtensions.Select(e => e.TrimStart('.').ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal));
        return $"{new Compression.Precompressor(compression).SettingsKey}\nmin {compression.MinimumLength.ToString(System.Globalization.CultureInfo.InvariantCulture)}\nskip {skipped}";
    }

    /// <summary>Reads the cache file; an empty cache when it is missing or unusable.</summary>
    public static CollectCache Load(string path, string key)
    {
        try
        {
            using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), Encoding.UTF8);
            if (reader.ReadString() != Magic || reader.ReadInt32() != Version || reader.ReadString() != key)
            {
                return Empty(key);
            }

            int sourceCount = ReadCount(reader);
            var sources = new Dictionary<string, CachedSource>(sourceCount, StringComparer.Ordinal);
            for (int i = 0; i < sourceCount; i++)
            {
                string physical = reader.ReadString();
                long length = reader.ReadInt64();
                long ticks = reader.ReadInt64();
                long changeTicks = reader.ReadInt64();
                bool rewritable = reader.ReadBoolean();
                string hash = reader.ReadString();
                string integrity = reader.ReadString();
                bool isText = reader.ReadBoolean();
                int referenceCount = ReadCount(reader);
                var references = new AssetReference[referenceCount];
                for (int r = 0; r < referenceCount; r++)
                {
                    var kind = (AssetReferenceKind)reader.ReadByte();
                    if (!Enum.IsDefined(kind))
                    {
                        throw new FormatException($"Unknown reference kind {(int)kind} in the collect cache.");
                    }

                    references[r] = new AssetReference(kind, reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadChar(), reader.ReadInt32(), reader.ReadInt32());
                }

                CachedPublished? published = null;
                if (reader.ReadBoolean())
                {
                    string logicalPath = reader.ReadString();
                    string storedPath = reader.ReadString();
                    string finalHash = reader.ReadString();
                    long finalLength = reader.ReadInt64();
                    bool original = reader.ReadBoolean();
                    published = new CachedPublished(logicalPath, storedPath, finalHash.Length == 0 ? hash : finalHash, finalLength < 0 ? length : finalLength, original, ReadVariants(reader), ReadVariants(reader));
                }

                sources[physical] = new CachedSource(length, ticks, changeTicks, rewritable, hash, integrity, isText, references, published);
            }

            int finalCount = ReadCount(reader);
            var finals = new Dictionary<string, CachedFinal>(finalCount, StringComparer.Ordinal);
            for (int i = 0; i < finalCount; i++)
            {
                finals[reader.ReadString()] = new CachedFinal(reader.ReadString(), reader.ReadString(), reader.ReadInt64());
            }

            CachedDestination? destination = null;
            if (reader.ReadBoolean())
            {
                destination = new CachedDestination(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            }

            return new CollectCache(key, sources, finals, destination);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException or InvalidCastException)
        {
            return Empty(key);
        }
    }

    /// <summary>The cached hashes and references of a found file, when its length and modification time are unchanged.</summary>
    public CachedSource? TryGetSource(FoundFile file, bool rewritable) =>
        _sources.TryGetValue(file.PhysicalPath, out CachedSource? entry)
        && entry.Length == file.Length && entry.LastWriteTicks == file.LastWriteTimeUtc.Ticks && entry.ChangeTicks == file.ChangeTimeUtc.Ticks
        && entry.Rewritable == rewritable
            ? entry
            : null;

    /// <summary>
    /// Whether the last collect published this output (or one of its variants) with this content: its file's entry
    /// says so. Only meaningful while the destination is the one that collect left (<see cref="Destination"/>).
    /// </summary>
    /// <param name="output">The output.</param>
    /// <param name="variant">The index of the variant in <see cref="Output.Variants"/>, or -1 for the output itself.</param>
    /// <param name="length">Its length.</param>
    /// <param name="hash">Its content hash.</param>
    public bool IsPublished(Output output, int variant, long length, string hash)
    {
        if (!_sources.TryGetValue(output.File.Found.PhysicalPath, out CachedSource? entry) || entry.Published is not { } published)
        {
            return false;
        }

        if (!output.Original)
        {
            // A fingerprinted name is its content.
            if (published.StoredPath != output.StoredPath)
            {
                return false;
            }

            return variant < 0 ? published.FinalLength == length : HasVariant(published.Variants, output.Variants[variant].Extension, length, hash);
        }

        if (!published.Original || published.LogicalPath != output.LogicalPath)
        {
            return false;
        }

        return variant < 0 ? entry.Hash == hash && entry.Length == length : HasVariant(published.OriginalVariants, output.Variants[variant].Extension, length, hash);

        static bool HasVariant(IReadOnlyList<CachedVariant> variants, string extension, long length, string hash)
        {
            foreach (CachedVariant cached in variants)
            {
                if (cached.Extension == extension)
                {
                    return cached.Length == length && cached.Hash == hash;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// The variants the last collect published for this content of a file's output (its fingerprinted file, or its
    /// original copy), when the content is the one published then under the same name (a moved source root gives the
    /// same physical file another logical path, and the destination holds its variants under the old one). The collect
    /// cache's key includes the compression settings, so the same content gives the same variants.
    /// </summary>
    public IReadOnlyList<CachedVariant>? TryGetPublishedVariants(SourceFile file, bool original, string contentHash)
    {
        if (!_sources.TryGetValue(file.Found.PhysicalPath, out CachedSource? entry) || entry.Published is not { } published)
        {
            return null;
        }

        return original
            ? published.Original && entry.Hash == contentHash && published.LogicalPath == file.Found.LogicalPath ? published.OriginalVariants : null
            : published.FinalHash == contentHash && published.LogicalPath == file.Found.LogicalPath && published.StoredPath == file.StoredPath ? published.Variants : null;
    }

    /// <summary>The final hashes of a rewritten file, when its source and its targets' final names are unchanged.</summary>
    public CachedFinal? TryGetFinal(SourceFile file) =>
        _finals.TryGetValue(FinalKey(file), out CachedFinal? final) ? final : null;

    /// <summary>
    /// Writes the cache's content for this collect's files, all but the destination's record, to a temporary file
    /// beside <paramref name="path"/>; <see cref="Save"/> completes it, <see cref="Discard"/> removes it.
    /// </summary>
    /// <param name="files">This collect's source files.</param>
    /// <param name="outputs">What this collect publishes.</param>
    /// <param name="path">The cache file.</param>
    /// <returns>The temporary file.</returns>
    /// <param name="collectStarted">When the collect started (before its files were found): a file modified or changed
    /// less than the racy window before it is not trusted next time, however long the collect took.</param>
    public string Serialize(IReadOnlyList<SourceFile> files, IReadOnlyList<Output> outputs, string path, DateTime collectStarted)
    {
        var published = new Dictionary<SourceFile, (Output? Fingerprinted, Output? Original)>(files.Count);
        foreach (Output output in outputs)
        {
            ref (Output? Fingerprinted, Output? Original) entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(published, output.File, out _);
            if (output.Original)
            {
                entry.Original = output;
            }
            else
            {
                entry.Fingerprinted = output;
            }
        }

        DateTime racy = collectStarted - RacyWindow;
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Write(temporary, files, published, racy);
        }
        catch
        {
            Discard(temporary);
            throw;
        }

        return temporary;
    }

    private void Write(string temporary, IReadOnlyList<SourceFile> files, Dictionary<SourceFile, (Output? Fingerprinted, Output? Original)> published, DateTime racy)
    {
        using (var writer = new BinaryWriter(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(_key);
            // A file modified within the racy window is remembered with a time no file has, so its hashes are not
            // trusted next time; what was published for it still is.
            SourceFile[] remembered = [.. files.Where(f => f.SourceHash.Length > 0)];
            writer.Write(remembered.Length);
            foreach (SourceFile file in remembered)
            {
                writer.Write(file.Found.PhysicalPath);
                writer.Write(file.Found.Length);
                bool settled = IsSettled(file.Found, racy);
                writer.Write(settled ? file.Found.LastWriteTimeUtc.Ticks : long.MinValue);
                writer.Write(file.Found.ChangeTimeUtc.Ticks);
                writer.Write(file.Rewritable);
                writer.Write(file.SourceHash);
                writer.Write(file.SourceIntegrity);
                writer.Write(file.IsText);
                writer.Write(file.References.Count);
                foreach (AssetReference reference in file.References)
                {
                    writer.Write((byte)reference.Kind);
                    writer.Write(reference.Start);
                    writer.Write(reference.Length);
                    writer.Write(reference.Url);
                    writer.Write(reference.Quote);
                    writer.Write(reference.Line);
                    writer.Write(reference.Column);
                }

                (Output? fingerprinted, Output? original) = published.GetValueOrDefault(file);
                writer.Write(fingerprinted is not null);
                if (fingerprinted is not null)
                {
                    writer.Write(file.Found.LogicalPath);
                    writer.Write(fingerprinted.StoredPath);
                    writer.Write(file.FinalHash == file.SourceHash ? string.Empty : file.FinalHash);
                    writer.Write(file.FinalLength == file.SourceLength ? -1L : file.FinalLength);
                    writer.Write(original is not null);
                    WriteVariants(writer, fingerprinted.Variants);
                    WriteVariants(writer, original?.Variants ?? []);
                }
            }

            SourceFile[] rewritten = [.. remembered.Where(f => f.Links.Count > 0 && f.FinalHash.Length > 0 && IsSettled(f.Found, racy))];
            writer.Write(rewritten.Length);
            foreach (SourceFile file in rewritten)
            {
                writer.Write(FinalKey(file));
                writer.Write(file.FinalHash);
                writer.Write(file.FinalIntegrity);
                writer.Write(file.FinalLength);
            }
        }
    }

    /// <summary>Completes a file <see cref="Serialize"/> wrote with the destination's record and puts it in place (atomically).</summary>
    public void Save(string path, string temporary)
    {
        try
        {
            using (var writer = new BinaryWriter(new FileStream(temporary, FileMode.Append, FileAccess.Write, FileShare.None), Encoding.UTF8))
            {
                writer.Write(Destination is not null);
                if (Destination is { } destination)
                {
                    writer.Write(destination.ManifestETag);
                    writer.Write(destination.ManifestLength);
                    writer.Write(destination.ManifestLastModifiedTicks);
                    writer.Write(destination.ManifestSha256);
                }
            }

            File.Move(temporary, path, overwrite: true);
            SweepAbandoned(path);
        }
        finally
        {
            Discard(temporary);
        }
    }

    /// <summary>How old a temporary cache file must be to count as a killed collect's, not a running one's.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>Removes temporary cache files that collects killed while writing them left behind (best effort).</summary>
    private static void SweepAbandoned(string path)
    {
        try
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            DateTime before = DateTime.UtcNow - AbandonedAfter;
            foreach (string leftover in Directory.EnumerateFiles(directory, $".{Path.GetFileName(path)}.*.tmp"))
            {
                if (File.GetLastWriteTimeUtc(leftover) < before)
                {
                    Discard(leftover);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Leftovers cost space only; the next save tries again.
        }
    }

    /// <summary>Removes a file <see cref="Serialize"/> wrote that will not be saved (the collect failed).</summary>
    public static void Discard(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file costs nothing but space; the collect's own error matters more.
        }
    }

    /// <summary>A count, which cannot exceed the bytes left in the file: a corrupt one must not allocate gigabytes.</summary>
    private static int ReadCount(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        return count >= 0 && count <= reader.BaseStream.Length - reader.BaseStream.Position
            ? count
            : throw new FormatException($"A count of {count} in the collect cache is impossible.");
    }

    /// <summary>Whether neither of a file's times is within the racy window (a later write in the same tick would not show).</summary>
    private static bool IsSettled(FoundFile file, DateTime racy) => file.LastWriteTimeUtc < racy && file.ChangeTimeUtc < racy;

    private static IReadOnlyList<CachedVariant> ReadVariants(BinaryReader reader)
    {
        int count = ReadCount(reader);
        if (count == 0)
        {
            return [];
        }

        var variants = new CachedVariant[count];
        for (int i = 0; i < count; i++)
        {
            variants[i] = new CachedVariant(reader.ReadString(), reader.ReadInt64(), reader.ReadString());
        }

        return variants;
    }

    private static void WriteVariants(BinaryWriter writer, IReadOnlyList<CompressedContent> variants)
    {
        writer.Write(variants.Count);
        foreach (CompressedContent variant in variants)
        {
            writer.Write(variant.Extension);
            writer.Write(variant.Length);
            writer.Write(variant.Hash);
        }
    }

    /// <summary>An empty cache with this key (what an unusable file gives).</summary>
    public static CollectCache Empty(string key) => new(key, new(StringComparer.Ordinal), new(StringComparer.Ordinal), null);

    /// <summary>
    /// A rewritten file's final content is a function of its logical path, its source and the final names its links
    /// point to. Computed once per file (a lookup and the save both need it), hashed piece by piece.
    /// </summary>
    private static string FinalKey(SourceFile file)
    {
        if (file.FinalKeyMemo is { } memo)
        {
            return memo;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            Append(hash, ref buffer, file.Found.LogicalPath);
            Append(hash, ref buffer, "\n");
            Append(hash, ref buffer, file.SourceHash);
            Append(hash, ref buffer, "\n");
            Span<char> number = stackalloc char[12];
            foreach (Link link in file.Links)
            {
                link.Reference.Start.TryFormat(number, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
                Append(hash, ref buffer, number[..written]);
                Append(hash, ref buffer, ":");
                Append(hash, ref buffer, link.Target.StoredPath);
                Append(hash, ref buffer, "\n");
            }

            return file.FinalKeyMemo = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        static void Append(IncrementalHash hash, ref byte[] buffer, ReadOnlySpan<char> text)
        {
            int needed = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (needed > buffer.Length)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(needed);
            }

            int count = Encoding.UTF8.GetBytes(text, buffer);
            hash.AppendData(buffer, 0, count);
        }
    }
}

/// <summary>A source file as the cache remembers it.</summary>
internal sealed record CachedSource(long Length, long LastWriteTicks, long ChangeTicks, bool Rewritable, string Hash, string Integrity, bool IsText, IReadOnlyList<AssetReference> References, CachedPublished? Published);

/// <summary>
/// What the last collect published for a source file: its fingerprinted file (name, final hash and length) and
/// variants, and whether its original copy (the source's content, under the logical path) and variants were published.
/// </summary>
internal sealed record CachedPublished(string LogicalPath, string StoredPath, string FinalHash, long FinalLength, bool Original, IReadOnlyList<CachedVariant> Variants, IReadOnlyList<CachedVariant> OriginalVariants);

/// <summary>A published precompressed variant: its suffix (<c>.br</c>), length and content hash.</summary>
internal sealed record CachedVariant(string Extension, long Length, string Hash);

/// <summary>A rewritten file's final hashes.</summary>
internal sealed record CachedFinal(string Hash, string Integrity, long Length);

/// <summary>
/// The destination after the last publish: its manifest's version (ETag, length, time) and that manifest's SHA-256.
/// While it is unchanged, the destination holds what each source file's entry says it published (<see cref="CollectCache.IsPublished"/>).
/// </summary>
internal sealed record CachedDestination(string ManifestETag, long ManifestLength, long ManifestLastModifiedTicks, string ManifestSha256);
