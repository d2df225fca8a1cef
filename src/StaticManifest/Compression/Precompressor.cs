using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Wharf.StaticManifest.Compression;

/// <summary>
/// Makes the Brotli (<c>.br</c>) and gzip (<c>.gz</c>) variants of static files at build time, with whitenoise's
/// rules: skip already-compressed types, Brotli first, keep a variant only if it is at most
/// <see cref="PrecompressionOptions.MaxRatio"/> of the original, and gzip only where Brotli paid. Unlike whitenoise
/// it compresses on every core, skips tiny files, and with an <see cref="IPrecompressionCache"/> never compresses the
/// same content twice.
/// </summary>
/// <remarks>
/// <para>
/// Output is deterministic: the same content and settings give the same bytes on every run, in any order and at any
/// degree of parallelism, so builds are reproducible and variant hashes only change when content does. The gzip
/// header carries no file name, a zero modification time and the "unknown" operating system (255, as Python's gzip
/// module writes), so it does not depend on the machine either. The compressed bodies come from the Brotli and
/// zlib-ng libraries in the .NET runtime, which promise to decompress to the same bytes but not to compress to the
/// same bytes across their versions or CPU architectures; pin the SDK to reproduce bytes exactly.
/// </para>
/// <para>
/// Incremental builds: a caller that knows a file is unchanged (same stored path, same SHA-256 as in the previous
/// manifest, variants still in place) can keep its previous <see cref="StaticAssetEncoding"/> entries and not call
/// this at all. Otherwise give the precompressor a cache (<see cref="DirectoryPrecompressionCache"/>): unchanged
/// content then costs a SHA-256 and a file read, even in a fresh output folder.
/// </para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class Precompressor
{
    // Input is fed to the encoders in slices of this size so cancellation and the ratio check are seen between
    // slices. At this size Brotli's output is the one-shot encoder's (measured byte-identical at qualities 5, 9, 10
    // and 11 on 67 real CSS/JS files up to 1.6 MB; 64 KiB slices were not); it must never change, or every variant
    // hash would.
    private const int SliceLength = 1024 * 1024;

    private static readonly string[] Codings = [ContentCodings.Brotli, ContentCodings.Gzip];

    private readonly IPrecompressionCache? _cache;
    private readonly HashSet<string> _skipExtensions;
    private readonly bool _brotli;
    private readonly bool _gzip;
    private readonly int _brotliQuality;
    private readonly int _gzipLevel;
    private readonly double _maxRatio;
    private readonly long _minimumLength;
    private readonly int _maxDegreeOfParallelism;

    /// <summary>Creates a precompressor.</summary>
    /// <param name="options">The settings, read once here; <see langword="null"/> for the defaults.</param>
    /// <param name="cache">Where to remember the variants made, or <see langword="null"/> to always compress.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Precompressor(PrecompressionOptions? options = null, IPrecompressionCache? cache = null)
    {
        options ??= new PrecompressionOptions();
        options.Validate();
        _cache = cache;
        _brotli = options.Brotli;
        _gzip = options.Gzip;
        _brotliQuality = options.BrotliQuality;
        _gzipLevel = options.GzipLevel;
        _maxRatio = options.MaxRatio;
        _minimumLength = options.MinimumLength;
        _maxDegreeOfParallelism = options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : options.MaxDegreeOfParallelism;
        _skipExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string extension in options.SkipExtensions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(extension, nameof(options));
            _skipExtensions.Add(extension.TrimStart('.'));
        }

        // Everything that changes the bytes or the keep/drop verdict for a file that is tried. The skip list and the
        // minimum length decide whether a file is tried at all, so they are not part of it. "v1" names this class's
        // format (gzip header normalization, slicing); change it when that changes.
        var key = new System.Text.StringBuilder("v1");
        if (_brotli)
        {
            key.Append(CultureInfo.InvariantCulture, $"-br{_brotliQuality}w{PrecompressionOptions.BrotliWindowBits}");
        }

        if (_gzip)
        {
            key.Append(CultureInfo.InvariantCulture, $"-gz{_gzipLevel}");
        }

        key.Append(CultureInfo.InvariantCulture, $"-r{_maxRatio:0.####}");
        SettingsKey = key.ToString();
    }

    /// <summary>
    /// A short string naming the settings that change the output (<c>v1-br11w22-gz9-r0.95</c>): the cache key's
    /// second half. Store it with a build's manifest to know whether earlier variants were made the same way.
    /// </summary>
    public string SettingsKey { get; }

    /// <summary>Whether a file would not be tried at all, and why: an extension in the skip list, too small, or both codings off.</summary>
    /// <param name="path">The file's name or path; only its extension is used.</param>
    /// <param name="length">The file's length in bytes.</param>
    /// <returns>The skip outcome, or <see langword="null"/> when the file is to be compressed.</returns>
    public PrecompressionOutcome? GetSkipOutcome(string path, long length)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!_brotli && !_gzip)
        {
            return PrecompressionOutcome.Disabled;
        }

        if (IsSkippedExtension(path))
        {
            return PrecompressionOutcome.SkippedExtension;
        }

        return length == 0 || length < _minimumLength ? PrecompressionOutcome.SkippedTooSmall : null;
    }

    /// <summary>
    /// Compresses one file's content and returns the variants worth keeping (Brotli first), without the cache.
    /// CPU-bound: call it from your own parallel loop, or use <see cref="CompressFilesAsync(string, IEnumerable{PrecompressionInput}, CancellationToken)"/>.
    /// </summary>
    /// <param name="path">The file's name or path; only its extension is used (for the skip list).</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="cancellationToken">Cancels the work; checked between slices of 1 MiB.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public PrecompressionResult Compress(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (GetSkipOutcome(path, content.Length) is { } skipped)
        {
            return new PrecompressionResult(skipped, [], FromCache: false);
        }

        PrecompressedVariant[] variants = CompressCore(content.Span, cancellationToken);
        return new PrecompressionResult(variants.Length > 0 ? PrecompressionOutcome.Compressed : PrecompressionOutcome.NotEffective, variants, FromCache: false);
    }

    /// <summary>
    /// Compresses one file's content, or takes its variants from the cache when the same content was compressed with
    /// the same settings before. The compression itself runs synchronously on the calling thread.
    /// </summary>
    /// <param name="path">The file's name or path; only its extension is used (for the skip list).</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="contentHash">The SHA-256 of <paramref name="content"/>, lower-case hex, when already computed; otherwise it is computed here (only with a cache).</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async ValueTask<PrecompressionResult> CompressAsync(string path, ReadOnlyMemory<byte> content, string? contentHash = null, CancellationToken cancellationToken = default)
    {
        if (GetSkipOutcome(path, content.Length) is { } skipped)
        {
            return new PrecompressionResult(skipped, [], FromCache: false);
        }

        if (_cache is null)
        {
            return Compress(path, content, cancellationToken);
        }

        contentHash ??= Convert.ToHexStringLower(SHA256.HashData(content.Span));
        IReadOnlyList<PrecompressedVariant>? cached = await _cache.GetAsync(contentHash, SettingsKey, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
        {
            return new PrecompressionResult(cached.Count > 0 ? PrecompressionOutcome.Compressed : PrecompressionOutcome.NotEffective, cached, FromCache: true);
        }

        PrecompressedVariant[] variants = CompressCore(content.Span, cancellationToken);

        // Not cancellable past this point: the work is done, and a half-written entry is never visible anyway.
        await _cache.SetAsync(contentHash, SettingsKey, variants, CancellationToken.None).ConfigureAwait(false);
        return new PrecompressionResult(variants.Length > 0 ? PrecompressionOutcome.Compressed : PrecompressionOutcome.NotEffective, variants, FromCache: false);
    }

    /// <summary>
    /// Precompresses files in a directory on every core: writes <c>path.br</c> and <c>path.gz</c> next to each file
    /// where they pay, and returns their manifest entries in the order of <paramref name="relativePaths"/>. See
    /// <see cref="CompressFilesAsync(string, IEnumerable{PrecompressionInput}, CancellationToken)"/>.
    /// </summary>
    /// <param name="directory">The output folder holding the files.</param>
    /// <param name="relativePaths">The files, by path relative to <paramref name="directory"/> with <c>/</c> separators.</param>
    /// <param name="cancellationToken">Cancels the work; files already written stay, nothing is torn.</param>
    /// <exception cref="ArgumentException">A path is absolute, leaves the directory, or appears twice.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public Task<IReadOnlyList<PrecompressedFile>> CompressFilesAsync(string directory, IEnumerable<string> relativePaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relativePaths);
        return CompressFilesAsync(directory, relativePaths.Select(path => new PrecompressionInput(path)), cancellationToken);
    }

    /// <summary>
    /// Precompresses files in a directory on every core (<see cref="PrecompressionOptions.MaxDegreeOfParallelism"/>):
    /// writes <c>path.br</c> and <c>path.gz</c> next to each file where they pay, and returns their manifest entries
    /// in the order of <paramref name="files"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each file is read at most once, and not at all when its <see cref="PrecompressionInput.Content"/> is given or
    /// its extension is skipped. Variants are written to a temporary file and renamed, so a server reading the
    /// directory never sees a torn one, and they get the original's last-write time (as whitenoise does) when the
    /// original is on disk.
    /// </para>
    /// <para>
    /// Afterwards each file's <c>.br</c>/<c>.gz</c> siblings are exactly the returned encodings: a sibling left by an
    /// earlier build that no longer pays (the content changed, a coding was turned off) is deleted, because a server
    /// would otherwise send stale bytes. A sibling that is itself one of <paramref name="files"/> (a collected
    /// <c>app.js.gz</c>) is the user's file: it is neither replaced nor deleted, and not returned as a variant.
    /// </para>
    /// </remarks>
    /// <param name="directory">The output folder holding the files.</param>
    /// <param name="files">The files, by path relative to <paramref name="directory"/> with <c>/</c> separators.</param>
    /// <param name="cancellationToken">Cancels the work; files already written stay, nothing is torn.</param>
    /// <exception cref="ArgumentException">A path is absolute, leaves the directory, or appears twice.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public async Task<IReadOnlyList<PrecompressedFile>> CompressFilesAsync(string directory, IEnumerable<PrecompressionInput> files, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(files);
        string root = Path.GetFullPath(directory);
        PrecompressionInput[] inputs = files.ToArray();
        var paths = new HashSet<string>(inputs.Length, StringComparer.Ordinal);
        var fullPaths = new string[inputs.Length];
        var lengths = new long[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], nameof(files));
            fullPaths[i] = GetFullPath(root, inputs[i].Path);
            if (!paths.Add(inputs[i].Path))
            {
                throw new ArgumentException($"The path '{inputs[i].Path}' appears twice.", nameof(files));
            }
        }

        // Largest first: with Brotli 11 one big bundle can take seconds, and started last it would run alone on one
        // core at the end. Skipped files are not stat'ed.
        for (int i = 0; i < inputs.Length; i++)
        {
            lengths[i] = inputs[i].Content is { } content ? content.Length
                : IsSkippedExtension(inputs[i].Path) ? 0
                : new FileInfo(fullPaths[i]) is { Exists: true } info ? info.Length : 0;
        }

        int[] order = Enumerable.Range(0, inputs.Length).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToArray();
        var results = new PrecompressedFile[inputs.Length];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(order, parallel, async (index, token) =>
            results[index] = await CompressFileAsync(inputs[index], fullPaths[index], paths, token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private async Task<PrecompressedFile> CompressFileAsync(PrecompressionInput input, string fullPath, HashSet<string> inputPaths, CancellationToken cancellationToken)
    {
        PrecompressionResult result;
        if (input.Content is null && GetSkipOutcome(input.Path, long.MaxValue) is { } skipped)
        {
            // Decided by the name alone: do not read the (usually large) image or font.
            result = new PrecompressionResult(skipped, [], FromCache: false);
        }
        else
        {
            ReadOnlyMemory<byte> content = input.Content ?? await File.ReadAllBytesAsync(fullPath, cancellationToken).ConfigureAwait(false);
            result = await CompressAsync(input.Path, content, input.ContentHash, cancellationToken).ConfigureAwait(false);
        }

        var encodings = new List<StaticAssetEncoding>(result.Variants.Count);
        DateTime? lastWrite = File.Exists(fullPath) ? File.GetLastWriteTimeUtc(fullPath) : null;
        foreach (string coding in Codings)
        {
            string extension = ContentCodings.GetFileExtension(coding);
            if (inputPaths.Contains(input.Path + extension))
            {
                continue;
            }

            string target = fullPath + extension;
            PrecompressedVariant? variant = result.Variants.FirstOrDefault(v => v.Coding == coding);
            if (variant is null)
            {
                File.Delete(target);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await WriteAtomicallyAsync(target, variant.Content, lastWrite, cancellationToken).ConfigureAwait(false);
            encodings.Add(variant.ToEncoding(input.Path));
        }

        return new PrecompressedFile(input.Path, result.Outcome, encodings, result.FromCache);
    }

    private PrecompressedVariant[] CompressCore(ReadOnlySpan<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Encoders give up as soon as their output is longer than this: one byte over the ratio limit, so rounding
        // in the multiplication cannot reject a variant that IsEffective (the exact test) would keep.
        long limit = (long)Math.Floor(content.Length * _maxRatio) + 1;
        var variants = new List<PrecompressedVariant>(2);
        if (_brotli)
        {
            byte[]? brotli = CompressBrotli(content, limit, cancellationToken);
            if (brotli is null || !IsEffective(brotli.Length, content.Length))
            {
                // gzip is 10–30 % larger than Brotli on text, so it cannot pass where Brotli did not (whitenoise's
                // rule too); trying would double the time spent on incompressible files for nothing.
                return [];
            }

            variants.Add(new PrecompressedVariant(ContentCodings.Brotli, brotli, Convert.ToHexStringLower(SHA256.HashData(brotli))));
        }

        if (_gzip)
        {
            byte[]? gzip = CompressGzip(content, limit, cancellationToken);
            if (gzip is not null && IsEffective(gzip.Length, content.Length))
            {
                variants.Add(new PrecompressedVariant(ContentCodings.Gzip, gzip, Convert.ToHexStringLower(SHA256.HashData(gzip))));
            }
        }

        return [.. variants];
    }

    // The same test as whitenoise's (compressed / original <= 0.95), in floating point, so the same files pass.
    private bool IsEffective(long compressedLength, long originalLength) => (double)compressedLength / originalLength <= _maxRatio;

    private byte[]? CompressBrotli(ReadOnlySpan<byte> content, long limit, CancellationToken cancellationToken)
    {
        // One byte of room past the limit: output that fills it is too long.
        int capacity = (int)Math.Min(limit + 1, BrotliEncoder.GetMaxCompressedLength(content.Length));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        try
        {
            using var encoder = new BrotliEncoder(_brotliQuality, PrecompressionOptions.BrotliWindowBits);
            Span<byte> destination = buffer.AsSpan(0, capacity);
            int written = 0;
            ReadOnlySpan<byte> remaining = content;
            while (true)
            {
                ReadOnlySpan<byte> slice = remaining[..Math.Min(SliceLength, remaining.Length)];
                bool final = slice.Length == remaining.Length;
                OperationStatus status = encoder.Compress(slice, destination[written..], out int consumed, out int produced, final);
                written += produced;
                remaining = remaining[consumed..];
                switch (status)
                {
                    case OperationStatus.Done when final && remaining.IsEmpty:
                        return written > limit ? null : buffer.AsSpan(0, written).ToArray();
                    case OperationStatus.Done:
                        break;
                    case OperationStatus.DestinationTooSmall:
                        // The output already passed the limit: not effective, stop early.
                        return null;
                    default:
                        throw new InvalidOperationException($"The Brotli encoder failed ({status}).");
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[]? CompressGzip(ReadOnlySpan<byte> content, long limit, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream((int)Math.Min(limit + 1, (content.Length / 3) + 64));
        using (var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = _gzipLevel, CompressionStrategy = ZLibCompressionStrategy.Default }, leaveOpen: true))
        {
            for (ReadOnlySpan<byte> remaining = content; !remaining.IsEmpty;)
            {
                ReadOnlySpan<byte> slice = remaining[..Math.Min(SliceLength, remaining.Length)];
                gzip.Write(slice);
                remaining = remaining[slice.Length..];
                if (output.Length > limit)
                {
                    return null;
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (output.Length > limit)
        {
            return null;
        }

        byte[] bytes = output.ToArray();
        NormalizeGzipHeader(bytes);
        return bytes;
    }

    /// <summary>
    /// Makes the 10-byte gzip header (RFC 1952 §2.3) independent of the machine. zlib writes MTIME 0 and no name
    /// already, but its OS byte is the build platform's (3 on Unix, 10 on Windows, 19 on macOS), so the same build
    /// would give different bytes, and hashes, on a developer's Mac and on CI. Only the header changes; the trailer's
    /// CRC covers the uncompressed data, and no header CRC is written (FLG 0).
    /// </summary>
    private static void NormalizeGzipHeader(Span<byte> gzip)
    {
        if (gzip.Length < 18 || gzip[0] != 0x1f || gzip[1] != 0x8b || gzip[2] != 8 || gzip[3] != 0)
        {
            throw new InvalidOperationException("The gzip encoder wrote an unexpected header.");
        }

        gzip[4..8].Clear(); // MTIME: none
        gzip[9] = 255; // OS: unknown
    }

    private static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, DateTime? lastWriteTimeUtc, CancellationToken cancellationToken)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            }

            // Before the rename, so the file never appears with another time (servers derive Last-Modified and
            // ETags from it).
            if (lastWriteTimeUtc is { } time)
            {
                File.SetLastWriteTimeUtc(temporary, time);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private bool IsSkippedExtension(string path)
    {
        ReadOnlySpan<char> name = path.AsSpan(path.AsSpan().LastIndexOfAny('/', '\\') + 1);
        int dot = name.LastIndexOf('.');
        return dot >= 0 && _skipExtensions.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name[(dot + 1)..]);
    }

    private static string GetFullPath(string root, string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        if (Path.IsPathRooted(relativePath) || relativePath.Contains('\\', StringComparison.Ordinal)
            || relativePath.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"'{relativePath}' is not a relative path with '/' separators inside the directory.", "files");
        }

        return Path.Join(root, relativePath);
    }
}
