using System.Security.Cryptography;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Wharf.Storage.Testing;

/// <summary>
/// The base of a backend's own tests against its real service (beyond <see cref="StorageConformanceTests"/>): each
/// test gets a fresh space of its own — a bucket, a container, a folder — made before it and deleted, with everything
/// in it, after it; what the test tracks (storages, clients, transports) is disposed after it, last made first.
/// </summary>
/// <remarks>
/// Derive once per backend, give <see cref="CreateSpaceAsync"/> and <see cref="DeleteSpaceAsync"/>, and add the
/// backend's factories (options in the test's space, storages made through <see cref="Track{T}"/>).
/// </remarks>
public abstract class StorageTestBase
{
    private readonly List<object> _disposables = [];
    private bool _spaceCreated;

    /// <summary>Set by MSTest.</summary>
    public TestContext TestContext { get; set; } = null!;

    /// <summary>Cancelled when the test is (its timeout, or the run is stopped).</summary>
    protected CancellationToken Ct => TestContext.CancellationToken;

    /// <summary>An HTTP client without credentials, as a browser or a CDN is.</summary>
    protected static HttpClient Anonymous { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Makes the test's space.</summary>
    /// <returns>A task that completes when the space is made.</returns>
    [TestInitialize]
    public async Task CreateSpaceForTestAsync()
    {
        await CreateSpaceAsync(Ct).ConfigureAwait(false);
        _spaceCreated = true;
    }

    /// <summary>Disposes what the test tracked, then deletes its space.</summary>
    /// <returns>A task that completes when both are done.</returns>
    [TestCleanup]
    public async Task DeleteSpaceAfterTestAsync()
    {
        foreach (object disposable in Enumerable.Reverse(_disposables))
        {
            await Disposal.DisposeAsync(disposable).ConfigureAwait(false);
        }

        _disposables.Clear();
        if (_spaceCreated)
        {
            _spaceCreated = false;
            await DeleteSpaceAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Makes the space this test works in (it fails the test, naming the server, when the service is missing).</summary>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>A task that completes when the space is made.</returns>
    protected abstract Task CreateSpaceAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the test's space and everything in it (not cancelled: a test that was must still clean up).</summary>
    /// <returns>A task that completes when the space is gone.</returns>
    protected abstract Task DeleteSpaceAsync();

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    /// <typeparam name="T">Its type.</typeparam>
    /// <param name="disposable">A storage, client…</param>
    /// <returns><paramref name="disposable"/>.</returns>
    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(disposable);
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    /// <typeparam name="T">Its type.</typeparam>
    /// <param name="disposable">A client, transport, handler…</param>
    /// <returns><paramref name="disposable"/>.</returns>
    protected T TrackDisposable<T>(T disposable)
        where T : IDisposable
    {
        ArgumentNullException.ThrowIfNull(disposable);
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Every entry of a listing.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="prefix">The listing's prefix.</param>
    /// <param name="recursive">Whether it goes into folders.</param>
    /// <param name="pageSize">The page size hint (small values make the listing take several round trips).</param>
    /// <returns>The entries, in the order the storage gave them.</returns>
    protected async Task<List<StorageEntry>> ListAsync(IStorage storage, string? prefix = null, bool recursive = false, int pageSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var entries = new List<StorageEntry>();
        await foreach (StorageEntry entry in storage.ListAsync(prefix, new ListOptions { Recursive = recursive, PageSizeHint = pageSize }, Ct).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>
    /// Runs <paramref name="action"/> (a large upload, say) while sampling the managed heap every 20 ms, after a full
    /// collection: how much it grew at its peak and how much was allocated, to check that content streams through
    /// bounded buffers instead of being held whole.
    /// </summary>
    /// <param name="action">What to measure; warm up clients and connections before, so they are not counted.</param>
    /// <returns>The peak growth, the bytes allocated, the number of samples and the time taken.</returns>
    protected static async Task<ManagedMemoryUse> MeasureManagedMemoryAsync(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        int samples = 0;
        using var stopSampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                long now = GC.GetTotalMemory(forceFullCollection: false);
                if (now > Volatile.Read(ref peak))
                {
                    Volatile.Write(ref peak, now);
                }

                Interlocked.Increment(ref samples);
                try
                {
                    await Task.Delay(20, stopSampling.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            await stopSampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
        }

        return new ManagedMemoryUse(Volatile.Read(ref peak) - baseline, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, samples, clock.Elapsed);
    }

    /// <summary>Asserts that an object holds exactly the bytes of <c>new PatternStream(length, seed)</c>, read as a stream.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The object.</param>
    /// <param name="length">The pattern's length.</param>
    /// <param name="seed">The pattern's seed.</param>
    /// <returns>A task that completes when the object was read and checked.</returns>
    protected async Task AssertPatternAsync(IStorage storage, string name, long length, int seed)
    {
        ArgumentNullException.ThrowIfNull(storage);
        long read = 0;
        byte[] hash;
        Stream stream = await storage.OpenReadAsync(name, cancellationToken: Ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[128 * 1024];
            int count;
            while ((count = await stream.ReadAsync(buffer, Ct).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, count);
                read += count;
            }

            hash = sha.GetHashAndReset();
        }

        Assert.AreEqual(length, read, $"'{name}' holds {read} bytes, not {length}.");
        CollectionAssert.AreEqual(PatternStream.ComputeHash(length, seed), hash, $"The content of '{name}' differs from what was saved.");
    }
}

/// <summary>What an action did to the managed heap, as <see cref="StorageTestBase.MeasureManagedMemoryAsync"/> measured it.</summary>
/// <param name="PeakGrowth">The highest heap size seen while it ran, above the heap after a full collection before it.</param>
/// <param name="Allocated">The bytes it allocated in all (every thread).</param>
/// <param name="Samples">How many times the heap size was sampled (every 20 ms): too few says the measure saw little.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record ManagedMemoryUse(long PeakGrowth, long Allocated, int Samples, TimeSpan Elapsed);

/// <summary>Disposes what the tests made, whichever way it disposes.</summary>
internal static class Disposal
{
    /// <summary>Disposes <paramref name="value"/> asynchronously when it can, otherwise synchronously; nothing when it is not disposable.</summary>
    public static async ValueTask DisposeAsync(object value)
    {
        switch (value)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
