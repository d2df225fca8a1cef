using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Wharf.Storage;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>An <see cref="IStorage"/> that forwards every call and counts them (saves by name).</summary>
internal sealed class CountingStorage(IStorage inner) : IStorage
{
    private readonly ConcurrentQueue<string> _saved = new();
    private int _opens;
    private int _infos;
    private int _exists;
    private int _deletes;
    private int _lists;

    public string Name => inner.Name;

    public StorageCapabilities Capabilities => inner.Capabilities;

    public IReadOnlyList<string> Saved => [.. _saved];

    public string Summary => $"{_saved.Count} saves, {_opens} opens, {_infos} info, {_exists} exists, {_deletes} deletes, {_lists} listings";

    public int Saves => _saved.Count;

    public void Reset()
    {
        _saved.Clear();
        _opens = _infos = _exists = _deletes = _lists = 0;
    }

    public ValueTask<SaveResult> SaveAsync(string name, Stream content, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        _saved.Enqueue(name);
        return inner.SaveAsync(name, content, options, cancellationToken);
    }

    public ValueTask<Stream> OpenReadAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _opens);
        return inner.OpenReadAsync(name, range, cancellationToken);
    }

    public ValueTask<StorageObjectInfo> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _infos);
        return inner.GetInfoAsync(name, cancellationToken);
    }

    public ValueTask<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _exists);
        return inner.ExistsAsync(name, cancellationToken);
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        return inner.DeleteAsync(name, cancellationToken);
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string? prefix = null, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        await foreach (StorageEntry entry in inner.ListAsync(prefix, options, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public Uri GetPublicUrl(string name) => inner.GetPublicUrl(name);

    public ValueTask<Uri> GetSignedUrlAsync(string name, SignedUrlOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetSignedUrlAsync(name, options, cancellationToken);

    public ValueTask SetVisibilityAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken = default) =>
        inner.SetVisibilityAsync(name, visibility, cancellationToken);

    public string? GetLocalPath(string name) => inner.GetLocalPath(name);
}
