using System.Security.Cryptography;
using System.Text;
using Wharf.StaticManifest.Rewriting;
using Wharf.Storage;

namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// A source file's content is not what the collect (or its cache) hashed: it changed during the collect, or the cache
/// took it for unchanged. With a cache, the collect runs again without it.
/// </summary>
internal sealed class StaleSourceException(string physicalPath, bool fromCache)
    : StaticManifestException($"'{physicalPath}' changed while it was being collected; collect again.")
{
    /// <summary>Whether the hash that did not match came from the collect cache.</summary>
    public bool FromCache { get; } = fromCache;
}

/// <summary>A reference from one collected file to another, resolved.</summary>
internal sealed record Link(AssetReference Reference, ResolvedReference Resolved, SourceFile Target);

/// <summary>A precompressed variant of an output's content.</summary>
/// <param name="Coding">The content coding (<c>br</c>, <c>gzip</c>).</param>
/// <param name="Extension">Its file suffix (<c>.br</c>, <c>.gz</c>).</param>
/// <param name="Content">Its bytes; null for a variant the destination is known to hold already (from the collect cache), which is never uploaded.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Hash">The SHA-256 of its bytes, lower-case hex.</param>
internal sealed record CompressedContent(string Coding, string Extension, ReadOnlyMemory<byte>? Content, long Length, string Hash);

/// <summary>A found file on its way through the collect: source content and hashes, references, final name and content.</summary>
internal sealed class SourceFile(FoundFile found, bool rewritable)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _materializeLock = new();
    private Task? _materializing;
    private Task? _verifying;
    private bool _finalDeferred;

    public FoundFile Found { get; } = found;

    /// <summary>Its index in the files of the <see cref="CollectState"/> that holds it.</summary>
    public int StateIndex { get; set; }

    /// <summary>Whether this file's references are rewritten (a CSS or JavaScript extension).</summary>
    public bool Rewritable { get; } = rewritable;

    /// <summary>Whether the source is UTF-8 text (and was scanned for references).</summary>
    public bool IsText { get; private set; }

    /// <summary>The hashes and references came from the cache and the content has not been read.</summary>
    public bool FromCache { get; private set; }

    /// <summary>The source bytes, held for files whose references are rewritten (CSS, JS); null for others (read from disk).</summary>
    public byte[]? Source { get; private set; }

    public string? Text { get; private set; }

    public IReadOnlyList<AssetReference> References { get; private set; } = [];

    public List<Link> Links { get; } = [];

    /// <summary>The references that resolve to no collected file.</summary>
    public List<MissingReference> Missing { get; } = [];

    /// <summary>Its fingerprinted output, once the outputs are made.</summary>
    public Output? FingerprintedOutput { get; set; }

    /// <summary>Its original copy's output, unless only fingerprinted files are kept.</summary>
    public Output? OriginalOutput { get; set; }

    /// <summary>Its manifest entry, once its outputs are final (compressed).</summary>
    public ManifestEntry? Entry { get; set; }

    /// <summary>Its manifest entry's JSON, once written (a collect again on the same collector copies it when the file is not processed again).</summary>
    public ManifestEntryJson? EntryJson { get; set; }

    public string SourceHash { get; private set; } = string.Empty;

    public string SourceIntegrity { get; private set; } = string.Empty;

    public long SourceLength { get; private set; }

    public string? StoredPath { get; set; }

    /// <summary>The rewritten content; null when it is the source's.</summary>
    public byte[]? Final { get; private set; }

    public string FinalHash { get; private set; } = string.Empty;

    /// <summary>The collect cache's key of the final content, once computed (see <c>CollectCache.FinalKey</c>).</summary>
    public string? FinalKeyMemo { get; set; }

    public string FinalIntegrity { get; private set; } = string.Empty;

    public long FinalLength { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (Rewritable)
        {
            byte[] bytes = await File.ReadAllBytesAsync(Found.PhysicalPath, cancellationToken).ConfigureAwait(false);
            (SourceHash, SourceIntegrity) = Hash(bytes);
            SourceLength = bytes.Length;
            try
            {
                Text = StrictUtf8.GetString(bytes);
                Source = bytes;
                IsText = true;
                References = Path.GetExtension(Found.LogicalPath).Equals(".css", StringComparison.OrdinalIgnoreCase)
                    ? CssReferenceScanner.Scan(Text)
                    : JsReferenceScanner.Scan(Text);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8 text (a mislabelled binary): collected as it is, like any other file.
                Text = null;
                Source = bytes;
            }
        }
        else
        {
            FileStream stream = new(Found.PhysicalPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0, Options = FileOptions.SequentialScan });
            await using (stream.ConfigureAwait(false))
            {
                using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var sha384 = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
                byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
                try
                {
                    long length = 0;
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        sha256.AppendData(buffer, 0, read);
                        sha384.AppendData(buffer, 0, read);
                        length += read;
                    }

                    SourceLength = length;
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }

                SourceHash = Convert.ToHexStringLower(sha256.GetHashAndReset());
                SourceIntegrity = "sha384-" + Convert.ToBase64String(sha384.GetHashAndReset());
            }
        }
    }

    /// <summary>Takes the hashes and references from the cache instead of reading the file.</summary>
    public void UseCached(CachedSource cached)
    {
        SourceHash = cached.Hash;
        SourceIntegrity = cached.Integrity;
        SourceLength = cached.Length;
        IsText = cached.IsText;
        References = cached.References;
        FromCache = true;
    }

    /// <summary>
    /// Takes the hashes and references of the same, unchanged file from the last collect (see <see cref="CollectState"/>):
    /// it is read again only if it must be rewritten, and then checked against them.
    /// </summary>
    public void UseKnown(SourceFile known) =>
        UseCached(new CachedSource(known.SourceLength, known.Found.LastWriteTimeUtc.Ticks, known.Found.ChangeTimeUtc.Ticks, known.Rewritable,
            known.SourceHash, known.SourceIntegrity, known.IsText, known.References, null));

    /// <summary>
    /// Drops the content held for the collect (source, rewritten bytes, variants' bytes) once it is published: a
    /// collector keeps its files between collects (<see cref="CollectState"/>), and unchanged files are never read,
    /// rewritten or uploaded again.
    /// </summary>
    public void ReleaseContent()
    {
        Source = null;
        Text = null;
        Final = null;
        foreach (Output? output in (ReadOnlySpan<Output?>)[FingerprintedOutput, OriginalOutput])
        {
            if (output is not null && output.Variants.Any(v => v.Content is not null))
            {
                output.Variants = [.. output.Variants.Select(v => v with { Content = null })];
            }
        }
    }

    /// <summary>Reads the source of a cached rewritable file, for a rewrite; it must still hash as the cache said.</summary>
    public async Task EnsureSourceAsync(CancellationToken cancellationToken)
    {
        if (!Rewritable || Source is not null)
        {
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(Found.PhysicalPath, cancellationToken).ConfigureAwait(false);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != SourceHash)
        {
            throw new StaleSourceException(Found.PhysicalPath, FromCache);
        }

        Text = IsText ? StrictUtf8.GetString(bytes) : null;
        Source = bytes;
    }

    /// <summary>The final name and hashes from the cache (the source and its targets' names are unchanged); the content is made only if it is uploaded.</summary>
    public void FinishFromCache(CachedFinal final)
    {
        Final = null;
        FinalHash = final.Hash;
        FinalIntegrity = final.Integrity;
        FinalLength = final.Length;
        StoredPath = StaticCollector.FingerprintedName(Found.LogicalPath, final.Hash);
        _finalDeferred = true;
    }

    /// <summary>
    /// Checks (once, whoever asks first) that a file the cache described and nobody read still hashes as the cache
    /// said, before it is uploaded from disk: other bytes must never be published under its hash.
    /// </summary>
    public Task EnsureCachedSourceUnchangedAsync(CancellationToken cancellationToken)
    {
        if (!FromCache || Source is not null)
        {
            return Task.CompletedTask;
        }

        lock (_materializeLock)
        {
            return _verifying ??= VerifyAsync(cancellationToken);
        }

        async Task VerifyAsync(CancellationToken token)
        {
            FileStream stream = new(Found.PhysicalPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
            await using (stream.ConfigureAwait(false))
            {
                if (Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, token).ConfigureAwait(false)) != SourceHash)
                {
                    throw new StaleSourceException(Found.PhysicalPath, fromCache: true);
                }
            }
        }
    }

    /// <summary>Makes the final content of a file finished from the cache (once, whoever asks first).</summary>
    public Task EnsureFinalAsync(CancellationToken cancellationToken)
    {
        if (!_finalDeferred)
        {
            return Task.CompletedTask;
        }

        lock (_materializeLock)
        {
            return _materializing ??= MaterializeAsync(cancellationToken);
        }
    }

    private async Task MaterializeAsync(CancellationToken cancellationToken)
    {
        await EnsureSourceAsync(cancellationToken).ConfigureAwait(false);
        byte[] content = Rewrite(_ => true);
        if (Convert.ToHexStringLower(SHA256.HashData(content)) != FinalHash)
        {
            throw new StaleSourceException(Found.PhysicalPath, fromCache: true);
        }

        Final = content;
    }

    /// <summary>The content with the references <paramref name="include"/> selects rewritten to their targets' final names.</summary>
    public byte[] Rewrite(Func<Link, bool> include)
    {
        if (Text is null)
        {
            return Source!;
        }

        var replacements = new List<ReferenceReplacement>(Links.Count);
        foreach (Link link in Links)
        {
            if (include(link) && link.Target.StoredPath is { } targetPath)
            {
                replacements.Add(new ReferenceReplacement(link.Reference, ReferenceResolver.FormatReplacement(link.Reference, link.Resolved, targetPath)));
            }
        }

        return replacements.Count == 0 ? Source! : Encoding.UTF8.GetBytes(ReferenceRewriter.Apply(Text, replacements));
    }

    /// <summary>Sets the final content (hashes, length) and, unless a cycle named it already, the fingerprinted name.</summary>
    public void Finish(byte[] content, bool keepStoredPath = false)
    {
        if (ReferenceEquals(content, Source))
        {
            FinishUnchanged(keepStoredPath);
            return;
        }

        Final = content;
        (FinalHash, FinalIntegrity) = Hash(content);
        FinalLength = content.Length;
        if (!keepStoredPath)
        {
            StoredPath = StaticCollector.FingerprintedName(Found.LogicalPath, FinalHash);
        }
    }

    /// <summary>The final content is the source's.</summary>
    public void FinishUnchanged(bool keepStoredPath = false)
    {
        Final = null;
        FinalHash = SourceHash;
        FinalIntegrity = SourceIntegrity;
        FinalLength = SourceLength;
        if (!keepStoredPath)
        {
            StoredPath = StaticCollector.FingerprintedName(Found.LogicalPath, SourceHash);
        }
    }

    internal static (string Hex, string Integrity) Hash(ReadOnlySpan<byte> content) =>
        (Convert.ToHexStringLower(SHA256.HashData(content)), "sha384-" + Convert.ToBase64String(SHA384.HashData(content)));
}

/// <summary>One file the collect publishes: a fingerprinted file, or the original copy of one.</summary>
internal sealed record Output(string StoredPath, string LogicalPath, SourceFile File, bool Original)
{
    public IReadOnlyList<CompressedContent> Variants { get; set; } = [];

    public (string Hash, string Integrity) Hashes => Original ? (File.SourceHash, File.SourceIntegrity) : (File.FinalHash, File.FinalIntegrity);

    public long Length => Original ? File.SourceLength : File.FinalLength;

    public string ContentType => ContentTypes.FromName(LogicalPath);

    private byte[]? Bytes => Original ? File.Source : File.Final ?? File.Source;

    public async ValueTask<ReadOnlyMemory<byte>> ReadContentAsync(CancellationToken cancellationToken)
    {
        if (!Original)
        {
            await File.EnsureFinalAsync(cancellationToken).ConfigureAwait(false);
        }

        return Bytes ?? await System.IO.File.ReadAllBytesAsync(File.Found.PhysicalPath, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (!Original)
        {
            await File.EnsureFinalAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Bytes is { } bytes)
        {
            return new MemoryStream(bytes, writable: false);
        }

        // Read from disk: what the cache took for unchanged is checked first (the file is then read twice, as it is
        // without a cache: hashed, then uploaded).
        await File.EnsureCachedSourceUnchangedAsync(cancellationToken).ConfigureAwait(false);
        return new FileStream(File.Found.PhysicalPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
    }

    public StaticAsset ToAsset() => new()
    {
        LogicalPath = LogicalPath,
        StoredPath = StoredPath,
        Length = Length,
        ContentType = ContentType,
        ContentHash = Hashes.Hash,
        Integrity = Hashes.Integrity,
        Encodings = [.. Variants.Select(v => new StaticAssetEncoding(v.Coding, StoredPath + v.Extension, v.Length, v.Hash))],
    };
}
