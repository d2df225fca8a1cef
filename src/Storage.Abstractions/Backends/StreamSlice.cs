namespace Wharf.Storage.Backends;

/// <summary>
/// A read-only window of a seekable stream, positioned at its start when made; disposing it leaves the inner stream
/// open. Backends use it to send (and, on a retry, resend) part of a caller's stream as a request body.
/// </summary>
public sealed class StreamSlice : Stream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;

    /// <summary>Creates the window and seeks the inner stream to <paramref name="start"/>.</summary>
    /// <param name="inner">A seekable stream.</param>
    /// <param name="start">Where the window starts in <paramref name="inner"/>.</param>
    /// <param name="length">The window's length.</param>
    public StreamSlice(Stream inner, long start, long length)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _inner = inner;
        _start = start;
        _length = length;
        inner.Position = start;
    }

    /// <inheritdoc/>
    public override bool CanRead => true;
    /// <inheritdoc/>
    public override bool CanSeek => true;
    /// <inheritdoc/>
    public override bool CanWrite => false;
    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _inner.Position - _start;
        set => _inner.Position = _start + Math.Clamp(value, 0, _length);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => _inner.Read(buffer[..(int)Math.Min(buffer.Length, _length - Position)]);

    // SDKs read request bodies through this overload in 8 KiB pieces: pass it through, so the inner stream's
    // cached completed tasks are used instead of a new Task per read.
    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, (int)Math.Min(count, _length - Position), cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _length - Position)], cancellationToken);

    private bool ReachesInnerEnd => _inner.Length - _inner.Position == _length - Position;

    // HTTP stacks send bodies with CopyToAsync: when the window runs to the inner stream's end, let the inner stream
    // copy itself (a MemoryStream writes its buffer in one call) instead of going through a rented buffer.
    /// <inheritdoc/>
    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
        ReachesInnerEnd
            ? _inner.CopyToAsync(destination, bufferSize, cancellationToken)
            : base.CopyToAsync(destination, bufferSize, cancellationToken);

    /// <inheritdoc/>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        if (ReachesInnerEnd)
        {
            _inner.CopyTo(destination, bufferSize);
        }
        else
        {
            base.CopyTo(destination, bufferSize);
        }
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };
        return Position;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
