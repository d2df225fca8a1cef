using System.Buffers;
using System.Diagnostics;
using Amazon.Runtime;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

using Wharf.Storage.Backends;

namespace Wharf.Storage.S3.Internal;

/// <summary>
/// Content small enough for one PUT, replayable (a seekable caller stream rewound, or a pooled buffer), committed
/// with one conditional PUT per candidate: <c>If-None-Match: *</c> makes the claim atomic on the server.
/// </summary>
internal sealed class StagedPut(S3Storage storage, StagingRequest request, Func<Stream> openBody, long length, IDisposable? owned) : IStagedObject
{
    public async ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            Stream body = openBody();
            PutObjectRequest put = storage.CreatePutRequest(name, request, body, length, overwrite);
            try
            {
                PutObjectResponse response = await storage.Client.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
                return new SaveResult(name, length, response.ETag);
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed && !overwrite)
            {
                return null;
            }
            catch (AmazonS3Exception exception) when (S3Storage.IsConcurrentConflict(exception) && attempt < S3Storage.ConflictRetries)
            {
                // 409 ConditionalRequestConflict: another write to the key is in flight; back off and ask again.
                S3Diagnostics.ConflictRetries.Add(1, S3Diagnostics.StorageTag(storage.Name));
                await Task.Delay(S3Storage.ConflictDelay(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        owned?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Content too large for one PUT: uploaded in parts (a bounded number in flight, each from a pooled buffer).
/// </summary>
/// <remarks>
/// The name is claimed <em>before</em> any part is sent, with a zero-byte conditional PUT (<c>If-None-Match: *</c>),
/// because not every service honours a conditional <c>CompleteMultipartUpload</c> (Ceph RGW 16 ignores it and
/// overwrites). The completion then replaces only that reservation (<c>If-Match</c> on the empty object's ETag, where
/// the service honours it). Nothing of the content is consumed until the name is ours, so a taken name costs one
/// small request and no replay. On failure the upload is aborted and the reservation deleted; a process killed
/// mid-upload leaves the zero-byte reservation, marked with <c>x-amz-meta-wharf-reservation</c>.
/// </remarks>
internal sealed class StagedMultipart(S3Storage storage, StagingRequest request, Stream source, PooledContent? head) : IStagedObject
{
    public async ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
    {
        if (!overwrite && !await storage.TryReserveAsync(name, request, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        string key = storage.GetKey(name);
        string? uploadId = null;
        using Activity? activity = S3Diagnostics.ActivitySource.StartActivity("multipart_upload");
        activity?.SetTag("wharf.storage.name", storage.Name);
        activity?.SetTag("wharf.storage.s3.key", key);
        try
        {
            InitiateMultipartUploadResponse initiated = await storage.Client.InitiateMultipartUploadAsync(storage.CreateInitiateRequest(name, request), cancellationToken).ConfigureAwait(false);
            uploadId = initiated.UploadId;
            Stream content = head is null ? source : new ConcatenatedReadStream(head.OpenRead(), source);
            (List<PartETag> parts, long length) = await UploadPartsAsync(key, uploadId, content, cancellationToken).ConfigureAwait(false);
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = storage.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
                IfMatch = overwrite ? null : S3Storage.EmptyETag,
            };
            CompleteMultipartUploadResponse completed = await storage.Client.CompleteMultipartUploadAsync(complete, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("wharf.storage.s3.parts", parts.Count);
            return new SaveResult(name, length, string.IsNullOrEmpty(completed.ETag) ? null : completed.ETag);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            if (uploadId is not null)
            {
                await AbortAsync(key, uploadId).ConfigureAwait(false);
            }

            if (!overwrite)
            {
                await storage.ReleaseReservationAsync(name).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task<(List<PartETag> Parts, long Length)> UploadPartsAsync(string key, string uploadId, Stream content, CancellationToken cancellationToken)
    {
        (IReadOnlyList<PartETag> parts, long length) = await PartUploader.UploadAsync(content, storage.Options.PartSize, storage.Options.MultipartConcurrency, storage.PartBuffers,
            async (index, part, token) =>
            {
                // The SDK wants a stream; the part's bytes are a pooled array segment.
                System.Runtime.InteropServices.MemoryMarshal.TryGetArray(part, out ArraySegment<byte> segment);
                using var body = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
                UploadPartResponse response = await storage.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = storage.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = index + 1,
                    InputStream = body,
                    PartSize = segment.Count,
                }, token).ConfigureAwait(false);
                S3Diagnostics.Parts.Add(1, S3Diagnostics.StorageTag(storage.Name));
                return new PartETag(index + 1, response.ETag);
            },
            cancellationToken).ConfigureAwait(false);
        return (parts.ToList(), length);
    }

    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            await storage.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = storage.Bucket, Key = key, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            // The service is unreachable: the incomplete upload holds no object under the name; a bucket lifecycle
            // rule (AbortIncompleteMultipartUpload) reclaims its parts.
            storage.LogCleanupFailed(key, exception);
        }
    }

    public ValueTask DisposeAsync()
    {
        head?.Dispose();
        return ValueTask.CompletedTask;
    }
}
