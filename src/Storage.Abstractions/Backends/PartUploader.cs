using System.Buffers;
using System.Runtime.ExceptionServices;

namespace Wharf.Storage.Backends;

/// <summary>
/// Reads content in fixed-size parts into pooled buffers and uploads them with a bounded number in flight: the shape
/// of S3 multipart uploads and Azure block uploads. Memory stays at about <c>(concurrency + 1) × part size</c>
/// whatever the content's length, and the content may be a non-seekable stream.
/// </summary>
public static class PartUploader
{
    /// <summary>Uploads <paramref name="content"/> part by part until it ends.</summary>
    /// <typeparam name="T">What uploading a part gives back (an ETag, a block id).</typeparam>
    /// <param name="content">The content; read once, forward only.</param>
    /// <param name="partSize">The size of every part but the last.</param>
    /// <param name="concurrency">How many parts upload at once.</param>
    /// <param name="buffers">The pool part buffers come from; each is returned once its part is sent.</param>
    /// <param name="uploadPart">
    /// Sends one part: its index (from 0) and bytes. The bytes are valid until the returned task ends. The token is
    /// cancelled when another part fails.
    /// </param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>Each part's result in part order, and the content's length. Empty content is one empty part.</returns>
    /// <remarks>
    /// When a part fails, the others are cancelled and that part's own error is thrown (not the cancellations it
    /// caused), unless <paramref name="cancellationToken"/> was cancelled.
    /// </remarks>
    public static async Task<(IReadOnlyList<T> Parts, long Length)> UploadAsync<T>(
        Stream content,
        int partSize,
        int concurrency,
        ArrayPool<byte> buffers,
        Func<int, ReadOnlyMemory<byte>, CancellationToken, Task<T>> uploadPart,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(uploadPart);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        using var inFlight = new SemaphoreSlim(concurrency);
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var uploads = new List<Task<T>>();
        long length = 0;
        bool sourceFailed = false;
        try
        {
            for (int index = 0; ; index++)
            {
                await inFlight.WaitAsync(failure.Token).ConfigureAwait(false);
                byte[] buffer = buffers.Rent(partSize);
                int filled;
                try
                {
                    filled = await FillAsync(content, buffer, partSize, failure.Token).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    buffers.Return(buffer);
                    inFlight.Release();
                    sourceFailed = exception is not OperationCanceledException;
                    throw;
                }

                if (filled == 0 && index > 0)
                {
                    buffers.Return(buffer);
                    inFlight.Release();
                    break;
                }

                length += filled;
                uploads.Add(UploadPartAsync(index, buffer, filled));
                if (filled < partSize)
                {
                    break;
                }
            }

            return (await Task.WhenAll(uploads).ConfigureAwait(false), length);
        }
        catch (Exception exception)
        {
            // When the caller's stream failed, the parts in flight (at most `concurrency`) are let finish rather than
            // cancelled: a cancelled request may still reach the service after the caller's clean-up (deleting the
            // reservation, aborting the multipart upload) and leave a part behind it. A failed part or the caller's
            // cancellation still stops the others at once.
            if (!sourceFailed)
            {
                await failure.CancelAsync().ConfigureAwait(false);
            }

            try
            {
                await Task.WhenAll(uploads).ConfigureAwait(false);
            }
            catch (Exception) when (uploads.Count > 0)
            {
                // Collected below.
            }

            // A failed part cancels the others and the loop's wait; unless the caller cancelled, what the caller
            // must see is the part's own error (the service went away, access denied), not that cancellation.
            if (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested
                && uploads.Select(u => u.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } partFailure)
            {
                ExceptionDispatchInfo.Throw(partFailure);
            }

            throw;
        }

        async Task<T> UploadPartAsync(int index, byte[] buffer, int count)
        {
            try
            {
                return await uploadPart(index, buffer.AsMemory(0, count), failure.Token).ConfigureAwait(false);
            }
            catch
            {
                await failure.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                buffers.Return(buffer);
                inFlight.Release();
            }
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < count)
        {
            int read = await content.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
