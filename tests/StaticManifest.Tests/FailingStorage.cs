using Wharf.Storage;

namespace Wharf.StaticManifest.Tests;

/// <summary>A storage that fails the saves a rule picks, with the storage's own exception; everything else is the real storage's.</summary>
internal sealed class FailingStorage(IStorage inner, Func<string, int, bool> fails) : IStorage
{
    private int _saves;

    /// <summary>Fails the <paramref name="number"/>th save (1-based), as an outage in the middle of a publish does.</summary>
    public static FailingStorage OnSave(IStorage inner, int number) => new(inner, (_, n) => n == number);

    /// <summary>Fails every save of this name (the manifest, say): a collect that stops after its uploads.</summary>
    public static FailingStorage OnName(IStorage inner, string name) => new(inner, (saved, _) => saved == name);

    /// <summary>Fails nothing; records the name of every save and counts listings (what a collect asked of the destination).</summary>
    public static FailingStorage Observing(IStorage inner, System.Collections.Concurrent.ConcurrentQueue<string> saved) => new(inner, (name, _) =>
    {
        saved.Enqueue(name);
        return false;
    });

    /// <summary>How many listings were started.</summary>
    public int Listings => _listings;

    private int _listings;

    public string Name => inner.Name;

    public StorageCapabilities Capabilities => inner.Capabilities;

    public ValueTask<SaveResult> SaveAsync(string name, Stream content, SaveOptions? options = null, CancellationToken cancellationToken = default) =>
        fails(name, Interlocked.Increment(ref _saves))
            ? throw new StorageUnavailableException(Name, name, "simulated outage")
            : inner.SaveAsync(name, content, options, cancellationToken);

    public ValueTask<Stream> OpenReadAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(name, range, cancellationToken);

    public ValueTask<StorageObjectInfo> GetInfoAsync(string name, CancellationToken cancellationToken = default) => inner.GetInfoAsync(name, cancellationToken);

    public ValueTask<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) => inner.ExistsAsync(name, cancellationToken);

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);

    public IAsyncEnumerable<StorageEntry> ListAsync(string? prefix = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _listings);
        return inner.ListAsync(prefix, options, cancellationToken);
    }

    public Uri GetPublicUrl(string name) => inner.GetPublicUrl(name);

    public ValueTask<Uri> GetSignedUrlAsync(string name, SignedUrlOptions? options = null, CancellationToken cancellationToken = default) => inner.GetSignedUrlAsync(name, options, cancellationToken);

    public ValueTask SetVisibilityAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken = default) => inner.SetVisibilityAsync(name, visibility, cancellationToken);

    public string? GetLocalPath(string name) => inner.GetLocalPath(name);
}
