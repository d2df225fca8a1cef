using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>A <see cref="PatternStream"/> that yields at most <c>chunk</c> bytes per read, after a delay: a slow client.</summary>
internal sealed class SlowPatternStream(long length, int seed, TimeSpan delayPerRead, int chunk) : NonSeekableReadStream
{
    private readonly PatternStream _inner = new(length, seed);
    private long _position;

    /// <summary>Bytes yielded so far.</summary>
    public long BytesRead => Interlocked.Read(ref _position);

    public override int Read(Span<byte> buffer)
    {
        Thread.Sleep(delayPerRead);
        int read = _inner.Read(buffer[..Math.Min(buffer.Length, chunk)]);
        Interlocked.Add(ref _position, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delayPerRead, cancellationToken);
        int read = _inner.Read(buffer.Span[..Math.Min(buffer.Length, chunk)]);
        Interlocked.Add(ref _position, read);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
