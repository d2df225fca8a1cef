using System.Runtime.CompilerServices;

namespace Wharf.Storage.Tests.Support;

/// <summary>
/// A test-only backend whose every name is taken: <see cref="IStagedObject.TryCommitAsync"/> always answers
/// <see langword="null"/>. It records each commit, to show that the save loop of <see cref="StorageBase"/> is bounded.
/// </summary>
internal sealed class AlwaysTakenStorage(string name, StorageOptions options) : StorageBase(name, options)
{
    private int _stagedDisposals;
    private int _disposals;

    /// <summary>Every commit tried: the candidate name and the overwrite flag.</summary>
    public List<(string Name, bool Overwrite)> Commits { get; } = [];

    /// <summary>How many staged objects were disposed.</summary>
    public int StagedDisposals => _stagedDisposals;

    /// <summary>How many times the storage itself was disposed (the base class calls the core once).</summary>
    public int Disposals => _disposals;

    /// <summary>The bytes staged by the last save.</summary>
    public byte[]? StagedContent { get; private set; }

    public override string BackendName => "AlwaysTaken";

    public override StorageCapabilities Capabilities { get; } = new();

    protected override async ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        StagedContent = buffer.ToArray();
        return new Staged(this);
    }

    protected override ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream?>(null);

    protected override ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult<StorageObjectInfo?>(null);

    protected override ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);

    protected override async IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield break;
    }

    protected override ValueTask DisposeAsyncCore()
    {
        Interlocked.Increment(ref _disposals);
        return ValueTask.CompletedTask;
    }

    private sealed class Staged(AlwaysTakenStorage owner) : IStagedObject
    {
        public ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
        {
            owner.Commits.Add((name, overwrite));
            if (owner.Commits.Count > 100_000)
            {
                // A safety net so that a broken (unbounded) save loop fails the test instead of hanging it.
                throw new InvalidOperationException("The save loop did not stop.");
            }

            return ValueTask.FromResult<SaveResult?>(null);
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref owner._stagedDisposals);
            return ValueTask.CompletedTask;
        }
    }
}
