namespace Wharf.Storage;

/// <summary>
/// Content a backend has received but not yet put under a name: a temp file, a spooled buffer, an uncommitted
/// block list. <see cref="StorageBase"/> commits it under candidate names until one is free.
/// </summary>
/// <remarks>
/// This is the one primitive a backend needs for race-free naming. <see cref="TryCommitAsync"/> must claim the name
/// atomically (create-if-absent: <c>link</c>/<c>renameat2</c>, <c>If-None-Match: *</c>) and, with overwrite,
/// replace atomically. Disposing removes whatever was not committed.
/// </remarks>
public interface IStagedObject : IAsyncDisposable
{
    /// <summary>Puts the staged content under <paramref name="name"/>.</summary>
    /// <param name="name">A valid candidate name.</param>
    /// <param name="overwrite">Replace an existing object atomically instead of failing.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>What was stored, or <see langword="null"/> when the name is taken (only without overwrite).</returns>
    ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken);
}

/// <summary>What <see cref="StorageBase"/> hands a backend to stage: the checked save options.</summary>
/// <param name="Name">The wanted name (valid and normalised); candidates keep its folder and extension.</param>
/// <param name="ContentType">The content type given, or inferred from the name.</param>
/// <param name="CacheControl">The Cache-Control value, if any.</param>
/// <param name="Metadata">User metadata with lower-case keys; empty when there is none.</param>
public sealed record StagingRequest(string Name, string ContentType, string? CacheControl, IReadOnlyDictionary<string, string> Metadata);
