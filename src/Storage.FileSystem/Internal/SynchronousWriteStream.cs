using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>
/// Appends to a freshly created file synchronously even when called asynchronously, with positional writes
/// (<c>pwrite</c>) at an offset it tracks itself. Linux has no asynchronous file writes: .NET runs them on the
/// thread pool, and that hop costs more than the write into the page cache it wraps; the content is still read
/// asynchronously. Writing through the handle rather than a <see cref="FileStream"/> spares the <c>lseek</c>
/// calls a file stream makes to learn and later restore the handle's offset (three per save); calling
/// <c>pwrite</c> itself on Unix spares the one <see cref="RandomAccess"/> makes to learn whether a handle it did
/// not open can seek (a temp file always can).
/// </summary>
internal sealed class SynchronousWriteStream(SafeFileHandle file) : Stream
{
    private long _position;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;

    /// <summary>The bytes written so far, which is the file's length: it was created empty and only appended to.</summary>
    public override long Length => _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // The P/Invoke passes a 64-bit offset: right for pwrite wherever off_t is 64-bit (64-bit Linux and macOS), not
        // on 32-bit Linux, where glibc's pwrite takes a 32-bit one (and musl has no pwrite64): there, and on Windows,
        // RandomAccess does the call.
        if (OperatingSystem.IsWindows() || !Environment.Is64BitProcess)
        {
            RandomAccess.Write(file, buffer, _position);
            _position += buffer.Length;
            return;
        }

        while (!buffer.IsEmpty)
        {
            int written = WriteOnce(buffer);
            buffer = buffer[written..];
            _position += written;
        }
    }

    /// <summary>One pwrite, which may write less than asked (then the caller goes on) or be interrupted (then it is retried).</summary>
    private unsafe int WriteOnce(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                nint written = NativeMethods.PWrite(file, bytes, (nuint)buffer.Length, _position);
                if (written == 0)
                {
                    // A regular file never takes nothing without an error; going round again would never end.
                    throw new IOException("pwrite wrote nothing to the temp file.");
                }

                if (written > 0)
                {
                    return (int)written;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != NativeMethods.EINTR)
                {
                    // HResult is the errno, as in the IOException .NET's own writes throw: ENOSPC (28) is recognized as a full disk.
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
                }
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Nothing is buffered: every write goes straight to the file.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
