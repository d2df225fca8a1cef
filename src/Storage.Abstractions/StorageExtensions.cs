using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Wharf.Storage;

/// <summary>Conveniences over <see cref="IStorage"/>: bytes and text, copies between storages, optional features.</summary>
public static class StorageExtensions
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Saves bytes. See <see cref="IStorage.SaveAsync"/>.</summary>
    public static async ValueTask<SaveResult> SaveBytesAsync(this IStorage storage, string name, ReadOnlyMemory<byte> content, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        using var stream = new ReadOnlyMemoryStream(content);
        return await storage.SaveAsync(name, stream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves text, UTF-8 without a byte-order mark unless another encoding is given.</summary>
    public static ValueTask<SaveResult> SaveTextAsync(this IStorage storage, string name, string text, SaveOptions? options = null, Encoding? encoding = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return storage.SaveBytesAsync(name, (encoding ?? Utf8NoBom).GetBytes(text), options, cancellationToken);
    }

    /// <summary>Reads a whole object into memory; for small objects only.</summary>
    public static async ValueTask<byte[]> ReadAllBytesAsync(this IStorage storage, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Stream stream = await storage.OpenReadAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Reads a whole object as text (UTF-8 unless another encoding is given; a byte-order mark is honoured).</summary>
    public static async ValueTask<string> ReadAllTextAsync(this IStorage storage, string name, Encoding? encoding = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Stream stream = await storage.OpenReadAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads an object's information, or <see langword="null"/> when there is none.</summary>
    public static async ValueTask<StorageObjectInfo?> GetInfoOrNullAsync(this IStorage storage, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        try
        {
            return await storage.GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies an object to another storage (or another name in the same one), streaming, with its content type,
    /// cache control and metadata unless <paramref name="options"/> gives others.
    /// </summary>
    /// <returns>The destination's save result, whose name may be an alternative when the wanted one is taken.</returns>
    public static async ValueTask<SaveResult> CopyToAsync(this IStorage source, string name, IStorage destination, string? destinationName = null, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        StorageObjectInfo info = await source.GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
        var copyOptions = new SaveOptions
        {
            ContentType = options?.ContentType ?? info.ContentType,
            CacheControl = options?.CacheControl ?? info.CacheControl,
            Metadata = options?.Metadata ?? (info.Metadata.Count > 0 ? new Dictionary<string, string>(info.Metadata) : null),
            Overwrite = options?.Overwrite,
            MaxNameLength = options?.MaxNameLength,
        };
        Stream stream = await source.OpenReadAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await destination.SaveAsync(destinationName ?? name, stream, copyOptions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves an upload under the name <paramref name="generator"/> makes from the client's file name
    /// (<c>documents/2026/11/johns_portrait.jpg</c>), or an available alternative of it.
    /// </summary>
    public static ValueTask<SaveResult> SaveUploadAsync(this IStorage storage, UploadNameGenerator generator, string clientFileName, Stream content, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(generator);
        return storage.SaveAsync(generator.Generate(clientFileName), content, options, cancellationToken);
    }

    /// <summary>Gets the public URL when the storage has public URLs.</summary>
    public static bool TryGetPublicUrl(this IStorage storage, string name, [NotNullWhen(true)] out Uri? url)
    {
        ArgumentNullException.ThrowIfNull(storage);
        url = storage.Capabilities.PublicUrls ? storage.GetPublicUrl(name) : null;
        return url is not null;
    }

    /// <summary>Gets the local path when the storage has local paths.</summary>
    public static bool TryGetLocalPath(this IStorage storage, string name, [NotNullWhen(true)] out string? path)
    {
        ArgumentNullException.ThrowIfNull(storage);
        path = storage.Capabilities.LocalPaths ? storage.GetLocalPath(name) : null;
        return path is not null;
    }

    /// <summary>A read-only, seekable stream over memory, without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Internal.SeekableReadOnlyStream
    {
        public override long Length => memory.Length;

        protected override int ReadAt(long position, Span<byte> buffer)
        {
            memory.Span.Slice((int)position, buffer.Length).CopyTo(buffer);
            return buffer.Length;
        }
    }
}
