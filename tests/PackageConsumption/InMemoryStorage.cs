using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Wharf.Storage;

namespace Wharf.PackageConsumption.Tests;

/// <summary>The in-memory backend's options: only the settings every storage has.</summary>
public sealed class InMemoryStorageOptions : StorageOptions;

/// <summary>
/// A storage backend written outside Wharf's packages, from their public API only. Objects are immutable snapshots
/// in a <see cref="ConcurrentDictionary{TKey, TValue}"/>, so committing one is a single atomic dictionary operation
/// and a reader always holds one whole version.
/// </summary>
public sealed class InMemoryStorage : StorageBase
{
    /// <summary>The backend's name in configuration (<c>Backend: InMemory</c>).</summary>
    public const string BackendId = "InMemory";

    // Content is kept in segments below the large-object-heap threshold, so it is never copied to grow.
    private const int SegmentSize = 64 * 1024;

    private readonly ConcurrentDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);

    /// <summary>Creates an empty storage.</summary>
    public InMemoryStorage(string name, InMemoryStorageOptions options, ILogger? logger = null)
        : base(name, options, logger)
    {
        Capabilities = new StorageCapabilities
        {
            PublicUrls = options.PublicBaseUrl is not null,
            StoresContentType = true,
            StoresCacheControl = true,
            CustomMetadata = true,
        };
    }

    /// <inheritdoc/>
    public override string BackendName => BackendId;

    /// <inheritdoc/>
    public override StorageCapabilities Capabilities { get; }

    /// <inheritdoc/>
    protected override async ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken)
    {
        var segments = new List<byte[]>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        byte[] segment = new byte[SegmentSize];
        int filled = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = await content.ReadAsync(segment.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            hash.AppendData(segment, filled, read);
            filled += read;
            length += read;
            if (filled == SegmentSize)
            {
                segments.Add(segment);
                segment = new byte[SegmentSize];
                filled = 0;
            }
        }

        if (filled > 0)
        {
            Array.Resize(ref segment, filled);
            segments.Add(segment);
        }

        string etag = $"\"{Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 16)}\"";
        return new StagedObject(this, new StoredContent(segments, length), request, etag);
    }

    /// <inheritdoc/>
    protected override ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken)
    {
        if (!_objects.TryGetValue(name, out StoredObject? stored))
        {
            return ValueTask.FromResult<Stream?>(null);
        }

        (long offset, long count) = (range ?? new ByteRange(0)).Clip(stored.Content.Length);
        return ValueTask.FromResult<Stream?>(new SegmentReadStream(stored.Content, offset, offset + count));
    }

    /// <inheritdoc/>
    protected override ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_objects.TryGetValue(name, out StoredObject? stored)
            ? new StorageObjectInfo
            {
                Name = name,
                Length = stored.Content.Length,
                ContentType = stored.Request.ContentType,
                LastModified = stored.LastModified,
                ETag = stored.ETag,
                CacheControl = stored.Request.CacheControl,
                Metadata = stored.Request.Metadata,
            }
            : null);

    /// <inheritdoc/>
    protected override ValueTask<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_objects.ContainsKey(name));

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_objects.TryRemove(name, out _));

    /// <inheritdoc/>
    protected override IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, CancellationToken cancellationToken) =>
        List(prefix, options.Recursive).ToAsyncEnumerable();

    private IEnumerable<StorageEntry> List(string prefix, bool recursive)
    {
        // Names under one folder are contiguous in ordinal order and sort after the folder's own prefix, so folding
        // them where the first one appears keeps the listing in ordinal order.
        string? lastFolder = null;
        foreach (StoredObject stored in _objects.Values.Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            int slash = recursive ? -1 : stored.Name.IndexOf('/', prefix.Length);
            if (slash < 0)
            {
                yield return new StorageEntry { Name = stored.Name, Length = stored.Content.Length, LastModified = stored.LastModified, ETag = stored.ETag };
            }
            else if (stored.Name[..(slash + 1)] is var folder && folder != lastFolder)
            {
                lastFolder = folder;
                yield return new StorageEntry { Name = folder, IsDirectory = true };
            }
        }
    }

    private sealed record StoredContent(IReadOnlyList<byte[]> Segments, long Length);

    private sealed record StoredObject(string Name, StoredContent Content, StagingRequest Request, string ETag, DateTimeOffset LastModified);

    /// <summary>Content received in full; committing it only publishes a reference, so it can be tried under many names.</summary>
    private sealed class StagedObject(InMemoryStorage storage, StoredContent content, StagingRequest request, string etag) : IStagedObject
    {
        public ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stored = new StoredObject(name, content, request, etag, DateTimeOffset.UtcNow);
            if (overwrite)
            {
                storage._objects[name] = stored;
            }
            else if (!storage._objects.TryAdd(name, stored))
            {
                return ValueTask.FromResult<SaveResult?>(null);
            }

            return ValueTask.FromResult<SaveResult?>(new SaveResult(name, content.Length, etag));
        }

        // Nothing to clean up: uncommitted segments are garbage once this object is dropped.
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Reads bytes [start, end) of stored content without copying it first.</summary>
    private sealed class SegmentReadStream : Stream
    {
        private readonly StoredContent _content;
        private readonly long _start;
        private readonly long _end;
        private long _position;

        public SegmentReadStream(StoredContent content, long start, long end)
        {
            _content = content;
            _start = start;
            _end = end;
            _position = start;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _end - _start;

        public override long Position
        {
            get => _position - _start;
            set
            {
                ArgumentOutOfRangeException.ThrowIfNegative(value);
                _position = _start + Math.Min(value, Length);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length && _position < _end)
            {
                byte[] segment = _content.Segments[(int)(_position / SegmentSize)];
                int inSegment = (int)(_position % SegmentSize);
                int count = (int)Math.Min(Math.Min(buffer.Length - total, segment.Length - inSegment), _end - _position);
                segment.AsSpan(inSegment, count).CopyTo(buffer[total..]);
                total += count;
                _position += count;
            }

            return total;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => Position + offset,
                SeekOrigin.End => Length + offset,
                _ => throw new ArgumentOutOfRangeException(nameof(origin)),
            };
            return Position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
