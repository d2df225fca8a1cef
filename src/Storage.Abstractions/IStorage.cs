namespace Wharf.Storage;

/// <summary>
/// A place where named objects (uploads, static files, documents) are stored: a folder, an S3 bucket, an Azure
/// container. Names are relative, <c>/</c>-separated and validated by <see cref="ObjectName"/>.
/// </summary>
/// <remarks>
/// <para>
/// The interface is deliberately small. Optional features (public and signed URLs, per-object visibility, local
/// paths) are announced by <see cref="Capabilities"/>, so a caller asks before it calls instead of catching
/// <see cref="NotSupportedException"/>. Conveniences (bytes, text, copying between storages) are extension methods
/// in <see cref="StorageExtensions"/>.
/// </para>
/// <para>
/// Every member that fails throws a <see cref="StorageException"/> subtype that names the storage, the object and
/// the cause; the backend's own exception is the <see cref="Exception.InnerException"/>.
/// </para>
/// </remarks>
public interface IStorage
{
    /// <summary>The storage's name, such as <c>default</c> or <c>staticfiles</c>; used in errors, logs and metrics.</summary>
    string Name { get; }

    /// <summary>What this storage can do beyond the core operations, and its name limits.</summary>
    StorageCapabilities Capabilities { get; }

    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="name"/>, or under an available alternative of it when
    /// the name is taken and overwriting was not asked for.
    /// </summary>
    /// <param name="name">The wanted object name.</param>
    /// <param name="content">The content, read once from its current position to its end. It need not be seekable.</param>
    /// <param name="options">Content type, cache control, metadata, overwrite and name-length options.</param>
    /// <param name="cancellationToken">Cancels the save; nothing is left under any name when it does.</param>
    /// <returns>The name actually stored, which callers must keep, and what was stored.</returns>
    /// <remarks>
    /// A name is claimed atomically (never check-then-write): two concurrent saves of one name produce two objects.
    /// With overwrite the replacement is atomic too: a reader sees the old or the new content, never a mix.
    /// </remarks>
    /// <exception cref="InvalidObjectNameException">The name breaks the name rules.</exception>
    /// <exception cref="ObjectNameUnavailableException">No available name was found within the bounded number of tries.</exception>
    ValueTask<SaveResult> SaveAsync(string name, Stream content, SaveOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading, whole or a byte range.</summary>
    /// <param name="name">The object name.</param>
    /// <param name="range">The bytes to read; <see langword="null"/> reads the whole object. A range is clipped to the object's end.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A stream positioned at the first requested byte; the caller disposes it.</returns>
    /// <exception cref="ObjectNotFoundException">There is no such object.</exception>
    ValueTask<Stream> OpenReadAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Reads an object's size, content type, last-modified time, ETag and metadata.</summary>
    /// <exception cref="ObjectNotFoundException">There is no such object.</exception>
    ValueTask<StorageObjectInfo> GetInfoAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Tells whether an object exists. Never answers <see langword="true"/> for an error such as access denied: it throws.</summary>
    ValueTask<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object. Idempotent.</summary>
    /// <returns><see langword="true"/> when an object was removed, <see langword="false"/> when there was none.</returns>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists objects whose names start with <paramref name="prefix"/>, in ascending ordinal order. By default one
    /// level: names below a further <c>/</c> are folded into one <see cref="StorageEntry.IsDirectory"/> entry.
    /// </summary>
    /// <param name="prefix">A name prefix (<c>images/</c> lists a folder; <c>images/ph</c> what starts so); <see langword="null"/> or empty for all.</param>
    /// <param name="options">Recursion and the page size used underneath.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    IAsyncEnumerable<StorageEntry> ListAsync(string? prefix = null, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The public (unsigned) URL of an object, from the configured base URL or custom domain.</summary>
    /// <remarks>Requires <see cref="StorageCapabilities.PublicUrls"/>; see <see cref="StorageExtensions.TryGetPublicUrl"/>.</remarks>
    /// <exception cref="StorageNotSupportedException">The storage has no public URLs.</exception>
    Uri GetPublicUrl(string name);

    /// <summary>A time-limited signed URL that grants read access to one object.</summary>
    /// <remarks>Requires <see cref="StorageCapabilities.SignedUrls"/>.</remarks>
    /// <exception cref="StorageNotSupportedException">The storage cannot sign URLs.</exception>
    ValueTask<Uri> GetSignedUrlAsync(string name, SignedUrlOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Makes one object publicly readable or private.</summary>
    /// <remarks>Requires <see cref="StorageCapabilities.Visibility"/>.</remarks>
    /// <exception cref="StorageNotSupportedException">The storage has no per-object visibility.</exception>
    ValueTask SetVisibilityAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken = default);

    /// <summary>
    /// The object's path on the local file system (for sendfile and tools that need a file), or
    /// <see langword="null"/> when the storage has no local paths. The object need not exist.
    /// </summary>
    /// <exception cref="InvalidObjectNameException">The name breaks the name rules.</exception>
    string? GetLocalPath(string name);
}
