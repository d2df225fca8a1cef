namespace Wharf.Storage.Internal;

/// <summary>
/// Wraps the caller's content during a save and remembers an exception the caller's stream threw, so that a dropped
/// upload surfaces as the caller's own error instead of being reported as a storage failure.
/// </summary>
internal sealed class ContentReadStream(Stream inner) : Stream
{
    /// <summary>The exception the caller's stream threw, if any.</summary>
    public Exception? Failure { get; private set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception exception) when (Remember(exception))
        {
            throw;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception exception) when (Remember(exception))
        {
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (Remember(exception))
        {
            throw;
        }
    }

    /// <summary>
    /// Lets the caller's stream drive the copy, so its fast path survives (a MemoryStream writes its buffer in one
    /// call, with no extra copy); an error the destination raised stays the storage's, anything else is the caller's.
    /// </summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var trackedDestination = new WriteTrackingStream(destination);
        try
        {
            await inner.CopyToAsync(trackedDestination, bufferSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!ReferenceEquals(exception, trackedDestination.Failure) && Remember(exception))
        {
            throw;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The caller owns the stream: disposing the wrapper leaves it open.
    protected override void Dispose(bool disposing) => base.Dispose(disposing);

    private bool Remember(Exception exception)
    {
        Failure = exception;
        return true;
    }
}

/// <summary>Forwards writes and remembers an exception the destination threw.</summary>
internal sealed class WriteTrackingStream(Stream inner) : Stream
{
    public Exception? Failure { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (Exception exception) when (Remember(exception))
        {
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (Remember(exception))
        {
            throw;
        }
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private bool Remember(Exception exception)
    {
        Failure = exception;
        return true;
    }
}
