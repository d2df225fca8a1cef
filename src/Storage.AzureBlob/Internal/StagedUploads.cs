using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;
using Wharf.Storage.Backends;

namespace Wharf.Storage.AzureBlob.Internal;

/// <summary>
/// Content small enough for one Put Blob, replayable (a seekable caller stream rewound, or pooled chunks), committed
/// with one conditional Put Blob per candidate: <c>If-None-Match: *</c> makes the claim atomic on the service.
/// </summary>
internal sealed class StagedPutBlob(AzureBlobStorage storage, StagingRequest request, Func<Stream> openBody, long length, IDisposable? owned) : IStagedObject
{
    public async ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
    {
        for (bool retried = false; ; retried = true)
        {
            using Stream body = openBody();
            using HttpMessage message = storage.Rest.CreateBlobMessage(RequestMethod.Put, storage.GetBlobName(name));
            Request http = message.Request;
            http.Headers.SetValue("x-ms-blob-type", "BlockBlob");
            if (!overwrite)
            {
                http.Headers.SetValue("If-None-Match", "*");
            }

            storage.ApplyObjectHeaders(http, name, request);
            http.Content = RequestContent.Create(body);
            Response response = await storage.Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
            switch (response.Status)
            {
                case 201:
                    return new SaveResult(name, length, response.Headers.ETag?.ToString("H"));
                case 409 when !overwrite && BlobRestClient.ErrorCode(response) == "BlobAlreadyExists":
                    return null;
                default:
                    if (!retried && await storage.TryCreateMissingContainerAsync(response, cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
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
/// Content too large for one Put Blob: staged as blocks (a bounded number in flight, each from a pooled buffer) and
/// committed with Put Block List.
/// </summary>
/// <remarks>
/// The name is claimed <em>before</em> any block is sent, with an empty conditional Put Blob
/// (<c>If-None-Match: *</c>, metadata <c>wharf_reservation</c>). Two reasons: a taken name then costs one small
/// request and no content (which may not be replayable); and uncommitted blocks belong to the blob name, so two
/// uploads staging blocks on one free name would discard each other's blocks when the first commits. The commit is
/// conditional on the reservation's ETag (<c>If-Match</c>), so it replaces only our reservation. On failure the
/// reservation is deleted (which discards the staged blocks too); a process killed mid-upload leaves the empty,
/// marked reservation.
/// </remarks>
internal sealed class StagedBlockUpload(AzureBlobStorage storage, StagingRequest request, Stream source, PooledContent? head) : IStagedObject
{
    public async ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
    {
        string blobName = storage.GetBlobName(name);
        string? reservation = null;
        if (!overwrite)
        {
            reservation = await TryReserveAsync(name, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                return null;
            }
        }

        using Activity? activity = AzureBlobDiagnostics.ActivitySource.StartActivity("block_upload");
        activity?.SetTag("wharf.storage.name", storage.Name);
        activity?.SetTag("wharf.storage.azureblob.blob", blobName);
        try
        {
            Stream content = head is null ? source : new ConcatenatedReadStream(head.OpenRead(), source);
            (IReadOnlyList<string> blockIds, long length) = await UploadBlocksAsync(blobName, content, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("wharf.storage.azureblob.blocks", blockIds.Count);
            return await CommitAsync(name, blockIds, length, reservation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            if (reservation is not null)
            {
                await ReleaseReservationAsync(blobName, reservation).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Claims the name with an empty conditional Put Blob; returns its ETag, or null when the name is taken.</summary>
    private async Task<string?> TryReserveAsync(string name, CancellationToken cancellationToken)
    {
        for (bool retried = false; ; retried = true)
        {
            using HttpMessage message = storage.Rest.CreateBlobMessage(RequestMethod.Put, storage.GetBlobName(name));
            Request http = message.Request;
            http.Headers.SetValue("x-ms-blob-type", "BlockBlob");
            http.Headers.SetValue("If-None-Match", "*");
            http.Headers.SetValue("x-ms-blob-content-type", request.ContentType);
            http.Headers.SetValue("x-ms-meta-" + AzureBlobStorage.ReservationMetadataKey, "pending");
            http.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
            Response response = await storage.Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
            switch (response.Status)
            {
                case 201:
                    return response.Headers.ETag?.ToString("H") ?? throw new RequestFailedException(201, "Put Blob answered without an ETag.", "MissingETag", null);
                case 409 when BlobRestClient.ErrorCode(response) == "BlobAlreadyExists":
                    return null;
                default:
                    if (!retried && await storage.TryCreateMissingContainerAsync(response, cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<SaveResult> CommitAsync(string name, IReadOnlyList<string> blockIds, long length, string? reservation, CancellationToken cancellationToken)
    {
        var body = new StringBuilder(64 + (blockIds.Count * 80)).Append("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (string id in blockIds)
        {
            body.Append("<Latest>").Append(id).Append("</Latest>");
        }

        body.Append("</BlockList>");
        using HttpMessage message = storage.Rest.CreateBlobMessage(RequestMethod.Put, storage.GetBlobName(name), "comp=blocklist");
        Request http = message.Request;
        if (reservation is not null)
        {
            http.Headers.SetValue("If-Match", reservation);
        }

        storage.ApplyObjectHeaders(http, name, request);
        http.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        http.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body.ToString()));
        Response response = await storage.Rest.SendExpectingAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return new SaveResult(name, length, response.Headers.ETag?.ToString("H"));
    }

    private async Task<(IReadOnlyList<string> BlockIds, long Length)> UploadBlocksAsync(string blobName, Stream content, CancellationToken cancellationToken)
    {
        // Block ids are unique per upload, so blocks left by an earlier failed upload of the name are never reused.
        string uploadId = Guid.NewGuid().ToString("N");
        return await PartUploader.UploadAsync(content, storage.Options.BlockSize, storage.Options.UploadConcurrency, storage.BlockBuffers,
            async (index, block, token) =>
            {
                string blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(uploadId + index.ToString("D8", CultureInfo.InvariantCulture)));
                using HttpMessage message = storage.Rest.CreateBlobMessage(RequestMethod.Put, blobName, "comp=block&blockid=" + Uri.EscapeDataString(blockId));
                message.Request.Content = RequestContent.Create(block);
                await storage.Rest.SendExpectingAsync(message, token, 201).ConfigureAwait(false);
                AzureBlobDiagnostics.Blocks.Add(1, AzureBlobDiagnostics.StorageTag(storage.Name));
                return blockId;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes our reservation (and with it the staged blocks), only if it is still ours (best effort).</summary>
    private async Task ReleaseReservationAsync(string blobName, string reservation)
    {
        try
        {
            using HttpMessage message = storage.Rest.CreateBlobMessage(RequestMethod.Delete, blobName);
            message.Request.Headers.SetValue("If-Match", reservation);
            await storage.Rest.SendAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RequestFailedException or AggregateException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            storage.LogCleanupFailed(blobName, exception);
        }
    }

    public ValueTask DisposeAsync()
    {
        head?.Dispose();
        return ValueTask.CompletedTask;
    }
}
