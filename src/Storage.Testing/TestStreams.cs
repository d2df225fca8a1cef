using System.Security.Cryptography;

namespace Wharf.Storage.Testing;

/// <summary>
/// The base of read-only, non-seekable test streams, as a network request body is: subclasses supply
/// <see cref="Read(Span{byte})"/> and, when they need to, <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.
/// </summary>
public abstract class NonSeekableReadStream : Stream
{
    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public abstract override int Read(Span<byte> buffer);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A non-seekable stream of deterministic pseudo-random bytes, made on the fly: large content without large memory.
/// Two instances with the same seed and length yield the same bytes.
/// </summary>
public sealed class PatternStream : NonSeekableReadStream
{
    private readonly long _length;
    private long _position;
    private ulong _state;

    /// <summary>Creates the stream.</summary>
    /// <param name="length">How many bytes it yields.</param>
    /// <param name="seed">Selects the byte sequence.</param>
    public PatternStream(long length, int seed)
    {
        _length = length;
        _state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed;
    }

    /// <summary>The SHA-256 of the bytes a stream with this length and seed yields.</summary>
    public static byte[] ComputeHash(long length, int seed)
    {
        using var stream = new PatternStream(length, seed);
        return SHA256.HashData(stream);
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, _length - _position);
        for (int i = 0; i < count; i++)
        {
            // xorshift64*: fast, and good enough to defeat compression and catch misplaced bytes.
            if (((_position + i) & 7) == 0)
            {
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
            }

            buffer[i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> (int)(((_position + i) & 7) * 8));
        }

        _position += count;
        return count;
    }

}

/// <summary>Wraps a stream and hides its seekability and length, as a network request body does.</summary>
public sealed class NonSeekableStream(Stream inner) : NonSeekableReadStream
{
    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);


    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Yields some bytes and then fails, as a dropped upload does.</summary>
/// <param name="bytesBeforeFailure">How many bytes to yield before failing.</param>
public sealed class FailingStream(long bytesBeforeFailure) : NonSeekableReadStream
{
    private long _position;

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (_position >= bytesBeforeFailure)
        {
            throw new IOException("The client disconnected (simulated).");
        }

        int count = (int)Math.Min(buffer.Length, bytesBeforeFailure - _position);
        buffer[..count].Fill((byte)'x');
        _position += count;
        return count;
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

}
