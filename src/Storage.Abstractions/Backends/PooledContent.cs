using System.Buffers;

namespace Wharf.Storage.Backends;

/// <summary>
/// Content held in pooled 64 KiB chunks, replayable as a seekable stream; the chunks go back to the pool on dispose.
/// </summary>
/// <remarks>
/// For backends that must send content of unknown length more than once (a conditional create that lost the name is
/// retried under another name) without holding it in one large array.
/// </remarks>
public sealed class PooledContent : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<byte[]> _chunks = [];

    /// <summary>The number of bytes held.</summary>
    public long Length { get; private set; }

    /// <summary>Reads from <paramref name="source"/> until it ends or <paramref name="limit"/> bytes are held.</summary>
    /// <param name="source">The content.</param>
    /// <param name="limit">The most bytes to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The content read; <see cref="Length"/> less than <paramref name="limit"/> means the source ended.</returns>
    public static async Task<PooledContent> ReadAsync(Stream source, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var buffer = new PooledContent();
        try
        {
            while (buffer.Length < limit)
            {
                int inChunk = (int)(buffer.Length % ChunkSize);
                if (inChunk == 0)
                {
                    buffer._chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                }

                int wanted = (int)Math.Min(ChunkSize - inChunk, limit - buffer.Length);
                int read = await source.ReadAsync(buffer._chunks[^1].AsMemory(inChunk, wanted), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Length += read;
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>A fresh stream over the content, from its start.</summary>
    public Stream OpenRead() => new ChunkStream(this);

    /// <summary>Returns the chunks to the pool; streams opened earlier must not be read afterwards.</summary>
    public void Dispose()
    {
        foreach (byte[] chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
    }

    private sealed class ChunkStream(PooledContent owner) : Internal.SeekableReadOnlyStream
    {
        public override long Length => owner.Length;

        protected override int ReadAt(long position, Span<byte> buffer)
        {
            int total = 0;
            while (buffer.Length > 0)
            {
                int chunk = (int)(position / ChunkSize);
                int inChunk = (int)(position % ChunkSize);
                int count = Math.Min(ChunkSize - inChunk, buffer.Length);
                owner._chunks[chunk].AsSpan(inChunk, count).CopyTo(buffer);
                buffer = buffer[count..];
                position += count;
                total += count;
            }

            return total;
        }
    }
}
