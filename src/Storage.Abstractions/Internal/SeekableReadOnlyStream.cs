namespace Wharf.Storage.Internal;

/// <summary>
/// The base of the read-only, seekable streams over content already in memory (one block, or pooled chunks): reads
/// complete synchronously, so the async overloads return finished tasks.
/// </summary>
internal abstract class SeekableReadOnlyStream : Stream
{
    private long _position;

    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => true;

    public sealed override bool CanWrite => false;

    public sealed override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, Length);
    }

    /// <summary>Copies content from <paramref name="position"/> into <paramref name="buffer"/>; returns how much.</summary>
    protected abstract int ReadAt(long position, Span<byte> buffer);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override int Read(Span<byte> buffer)
    {
        int read = ReadAt(_position, buffer[..(int)Math.Min(buffer.Length, Length - _position)]);
        _position += read;
        return read;
    }

    public sealed override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public sealed override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    public sealed override void Flush()
    {
    }

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
