using System.Diagnostics;
using Wharf.Storage.Diagnostics;

namespace Wharf.Storage.Internal;

/// <summary>Wraps a read stream to add the bytes read to <c>wharf.storage.bytes</c> when it is disposed.</summary>
internal sealed class CountingReadStream(Stream inner, TagList tags) : Stream
{
    private long _bytesRead;
    private int _disposed;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override int ReadByte()
    {
        int b = inner.ReadByte();
        if (b >= 0)
        {
            _bytesRead++;
        }

        return b;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            Report();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            Report();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Count(int read)
    {
        _bytesRead += read;
        return read;
    }

    private void Report()
    {
        if (_bytesRead > 0)
        {
            StorageDiagnostics.Bytes.Add(_bytesRead, tags);
        }
    }
}
