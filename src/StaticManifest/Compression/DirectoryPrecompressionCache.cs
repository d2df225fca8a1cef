using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.StaticManifest.Compression;

/// <summary>
/// A content-addressed <see cref="IPrecompressionCache"/> on disk: one small file per content and settings,
/// <c>{directory}/{settingsKey}/{hash[0..2]}/{hash}</c>. Keep the directory between builds (a CI cache, a Docker
/// <c>RUN --mount=type=cache</c>) and only new or changed files are compressed, even into an empty output folder.
/// </summary>
/// <remarks>
/// Entries are written to a temporary file and renamed, so a crashed build leaves no torn entry, and every variant's
/// SHA-256 is checked when read, so a damaged entry is a miss, never wrong bytes. Nothing is ever evicted: entries
/// for other settings live in other folders, and deleting the directory (or any part of it) is always safe.
/// </remarks>
public sealed class DirectoryPrecompressionCache : IPrecompressionCache
{
    // "WPC" + format version; a new layout gets a new magic and old entries become misses.
    private static ReadOnlySpan<byte> Magic => "WPC1"u8;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    // The key becomes a folder name: keep it to characters that are safe on every file system.
    private static readonly System.Buffers.SearchValues<char> KeyCharacters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

    private readonly string _directory;

    /// <summary>Creates a cache in a directory, created when first written.</summary>
    /// <param name="directory">The cache directory.</param>
    public DirectoryPrecompressionCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
    }

    /// <summary>The cache directory.</summary>
    public string Directory => _directory;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken)
    {
        string path = GetEntryPath(contentHash, settingsKey);
        byte[] entry;
        try
        {
            entry = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(entry);
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variants);
        string path = GetEntryPath(contentHash, settingsKey);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        long length = Magic.Length + 1;
        foreach (PrecompressedVariant variant in variants)
        {
            length += 1 + Encoding.ASCII.GetByteCount(variant.Coding) + SHA256.HashSizeInBytes + sizeof(long) + variant.Length;
        }

        byte[] entry = new byte[length];
        Span<byte> span = entry;
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        span[0] = checked((byte)variants.Count);
        span = span[1..];
        foreach (PrecompressedVariant variant in variants)
        {
            int codingLength = Encoding.ASCII.GetBytes(variant.Coding, span[1..]);
            span[0] = (byte)codingLength;
            span = span[(1 + codingLength)..];
            Convert.FromHexString(variant.ContentHash, span[..SHA256.HashSizeInBytes], out _, out _);
            span = span[SHA256.HashSizeInBytes..];
            BinaryPrimitives.WriteInt64LittleEndian(span, variant.Length);
            span = span[sizeof(long)..];
            variant.Content.Span.CopyTo(span);
            span = span[variant.Content.Length..];
        }

        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, entry, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another writer stored the same content first (Windows refuses to replace a file being read); its entry
            // holds the same variants.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private string GetEntryPath(string contentHash, string settingsKey)
    {
        if (contentHash is not { Length: 64 } || contentHash.AsSpan().ContainsAnyExcept(LowerHex))
        {
            throw new ArgumentException("The content hash must be a lower-case hex SHA-256.", nameof(contentHash));
        }

        if (string.IsNullOrEmpty(settingsKey) || settingsKey.Length > 100 || settingsKey is "." or ".."
            || settingsKey.AsSpan().ContainsAnyExcept(KeyCharacters))
        {
            throw new ArgumentException("The settings key must be 1–100 letters, digits, '.', '-' or '_'.", nameof(settingsKey));
        }

        return Path.Join(_directory, settingsKey, contentHash[..2], contentHash);
    }

    private static PrecompressedVariant[]? Parse(byte[] entry)
    {
        ReadOnlySpan<byte> span = entry;
        if (!span.StartsWith(Magic) || span.Length < Magic.Length + 1)
        {
            return null;
        }

        int offset = Magic.Length;
        int count = entry[offset++];
        var variants = new PrecompressedVariant[count];
        Span<byte> actualHash = stackalloc byte[SHA256.HashSizeInBytes];
        for (int i = 0; i < count; i++)
        {
            if (offset >= entry.Length)
            {
                return null;
            }

            int codingLength = entry[offset++];
            if (entry.Length - offset < codingLength + SHA256.HashSizeInBytes + sizeof(long))
            {
                return null;
            }

            string coding = Encoding.ASCII.GetString(entry, offset, codingLength);
            offset += codingLength;
            ReadOnlySpan<byte> expectedHash = span.Slice(offset, SHA256.HashSizeInBytes);
            offset += SHA256.HashSizeInBytes;
            long length = BinaryPrimitives.ReadInt64LittleEndian(span[offset..]);
            offset += sizeof(long);
            if (length < 0 || length > entry.Length - offset || coding is not (ContentCodings.Brotli or ContentCodings.Gzip))
            {
                return null;
            }

            var content = new ReadOnlyMemory<byte>(entry, offset, (int)length);
            offset += (int)length;
            SHA256.HashData(content.Span, actualHash);
            if (!actualHash.SequenceEqual(expectedHash))
            {
                return null;
            }

            variants[i] = new PrecompressedVariant(coding, content, Convert.ToHexStringLower(actualHash));
        }

        return offset == entry.Length ? variants : null;
    }
}
