using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Storage;
using Wharf.Storage.S3;

namespace Wharf.Benchmarks;

/// <summary>
/// Counts the HTTP requests each operation sends to the real S3 server (see <see cref="S3BenchServer"/>), for Wharf
/// and for the raw SDK calls doing the same job, with an <see cref="S3RequestCounter"/> under the client both use.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --requests</c>. Prints a table of counts
/// (with each request: method, path, status) and compares the headers of Wharf's PUT with the raw one. Exits with
/// code 1 if a count differs from the expected one.
/// </remarks>
internal static class S3RequestCounts
{
    private const int SmallSize = 4 * 1024;
    private const int LargeSize = 20 * 1024 * 1024;

    public static async Task<int> RunAsync()
    {
        var counter = new S3RequestCounter();
        string bucket = S3BenchServer.NewBucketName();
        using AmazonS3Client client = S3BenchServer.CreateClient(counter);
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        int failures = 0;
        try
        {
            S3StorageOptions options = S3BenchServer.Options(bucket, location: "wharf");
            using var storage = new S3Storage("bench", options, client);
            byte[] small = BenchDirectory.CreateContent(SmallSize);
            byte[] large = BenchDirectory.CreateContent(LargeSize);
            int partSize = options.PartSize;

            // Set-up, not counted: objects that make names taken, and one to read.
            await storage.SaveBytesAsync("taken.bin", small);
            await RawPutAsync(client, bucket, "raw/taken.bin", small, ifNoneMatch: true);
            await RawPutAsync(client, bucket, "raw/django-taken.bin", small, ifNoneMatch: false);

            Console.WriteLine($"S3 requests per operation against {S3BenchServer.Endpoint} (bucket {bucket}); every HTTP exchange counted.");
            Console.WriteLine();
            Console.WriteLine("| Side | Operation | Requests | Expected | Sequence |");
            Console.WriteLine("|---|---|---:|---:|---|");

            IReadOnlyList<S3RecordedRequest> wharfPut = await CountAsync("Wharf", "SaveAsync, free name, 4 KiB", 1, async () =>
            {
                using var content = new MemoryStream(small, writable: false);
                await storage.SaveAsync("free.bin", content);
            });
            await CountAsync("Wharf", "SaveAsync, taken name, 4 KiB", 2, async () =>
            {
                using var content = new MemoryStream(small, writable: false);
                SaveResult result = await storage.SaveAsync("taken.bin", content);
                Check(result.Name != "taken.bin", "the second save of taken.bin kept the name");
            });
            await CountAsync("Wharf", "OpenReadAsync + read to end, 4 KiB", 1, async () =>
            {
                Stream stream = await storage.OpenReadAsync("free.bin");
                await using (stream)
                {
                    await stream.CopyToAsync(Stream.Null);
                }
            });
            await CountAsync("Wharf", "ExistsAsync, missing name, first call of the storage (HEAD 404, then a one-key list: is the bucket there?)", 2, async () =>
                Check(!await storage.ExistsAsync("missing.bin"), "missing.bin exists"));
            await CountAsync("Wharf", "ExistsAsync, missing name, later calls", 1, async () =>
                Check(!await storage.ExistsAsync("missing-too.bin"), "missing-too.bin exists"));
            int parts = (LargeSize + partSize - 1) / partSize;
            await CountAsync("Wharf", $"SaveAsync, free name, 20 MiB (multipart, {parts} parts of ≤ {partSize / (1024 * 1024)} MiB)", 3 + parts, async () =>
            {
                using var content = new MemoryStream(large, writable: false);
                SaveResult result = await storage.SaveAsync("large.bin", content);
                Check(result.Length == LargeSize, $"the multipart save stored {result.Length} bytes");
            });
            await CountAsync("Wharf", "SaveAsync, free name, 20 MiB of unknown length (non-seekable stream)", 3 + parts, async () =>
            {
                using var content = new ForwardOnlyStream(new MemoryStream(large, writable: false));
                await storage.SaveAsync("large-unknown-length.bin", content);
            });

            IReadOnlyList<S3RecordedRequest> rawPut = await CountAsync("Raw SDK", "PutObject If-None-Match: *, free key, 4 KiB", 1, () =>
                RawPutAsync(client, bucket, "raw/free.bin", small, ifNoneMatch: true));
            await CountAsync("Raw SDK", "PutObject If-None-Match: * on a taken key (412), then on another key, 4 KiB", 2, async () =>
            {
                try
                {
                    await RawPutAsync(client, bucket, "raw/taken.bin", small, ifNoneMatch: true);
                    Check(false, "the conditional PUT of a taken key succeeded");
                }
                catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    await RawPutAsync(client, bucket, "raw/taken_abcdefg.bin", small, ifNoneMatch: true);
                }
            });
            await CountAsync("Raw SDK", "GetObject + read to end, 4 KiB", 1, async () =>
            {
                using GetObjectResponse response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "raw/free.bin" });
                await response.ResponseStream.CopyToAsync(Stream.Null);
            });
            await CountAsync("Raw SDK", $"multipart, 20 MiB: initiate, {parts} parts, complete (no name claim)", 2 + parts, () =>
                RawMultipartAsync(client, bucket, "raw/large.bin", large, partSize));
            await CountAsync("Raw SDK", "HEAD then PUT (the django-storages `file_overwrite=False` sequence), free key, 4 KiB", 2, () =>
                HeadThenPutAsync(client, bucket, "raw/django-free.bin", small));
            await CountAsync("Raw SDK", "HEAD then PUT (the django-storages `file_overwrite=False` sequence), taken key, 4 KiB", 3, () =>
                HeadThenPutAsync(client, bucket, "raw/django-taken.bin", small));

            Console.WriteLine();
            CompareHeaders(rawPut.Single(), wharfPut.Single());
        }
        finally
        {
            counter.Reset();
            await S3BenchServer.DeleteBucketAsync(client, bucket);
        }

        if (failures > 0)
        {
            Console.Error.WriteLine($"{failures} request count(s) differ from the expected ones.");
            return 1;
        }

        return 0;

        async Task<IReadOnlyList<S3RecordedRequest>> CountAsync(string side, string operation, int expected, Func<Task> action)
        {
            counter.Reset();
            await action();
            IReadOnlyList<S3RecordedRequest> requests = counter.Requests;
            if (requests.Count != expected)
            {
                failures++;
            }

            string sequence = string.Join("; ", requests.Select(r => r.Describe(bucket)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {side} | {operation} | {requests.Count} | {expected}{(requests.Count == expected ? string.Empty : " **(differs)**")} | {sequence} |"));
            return requests;
        }

        void Check(bool condition, string problem)
        {
            if (!condition)
            {
                failures++;
                Console.Error.WriteLine("Unexpected: " + problem);
            }
        }
    }

    private static async Task RawPutAsync(IAmazonS3 client, string bucket, string key, byte[] content, bool ifNoneMatch)
    {
        using var stream = new MemoryStream(content, writable: false);
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = stream,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",
            CannedACL = S3CannedACL.Private,
            IfNoneMatch = ifNoneMatch ? "*" : null,
        });
    }

    /// <summary>
    /// What django-storages' S3Storage does with <c>file_overwrite=False</c> (docs: ../shared/reference/django-wagtail.md
    /// §4): Django's <c>get_available_name</c> loop, one <c>exists()</c> = HEAD per candidate, then an unconditional
    /// PutObject. Emulated with the SDK to count the requests; Django itself is not run.
    /// </summary>
    private static async Task HeadThenPutAsync(IAmazonS3 client, string bucket, string key, byte[] content)
    {
        string candidate = key;
        while (await ExistsAsync(client, bucket, candidate))
        {
            candidate = key[..^4] + "_" + Guid.NewGuid().ToString("N")[..7] + ".bin";
        }

        await RawPutAsync(client, bucket, candidate, content, ifNoneMatch: false);
    }

    private static async Task<bool> ExistsAsync(IAmazonS3 client, string bucket, string key)
    {
        try
        {
            await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key });
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task RawMultipartAsync(IAmazonS3 client, string bucket, string key, byte[] content, int partSize)
    {
        InitiateMultipartUploadResponse initiated = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            ContentType = "application/octet-stream",
            CannedACL = S3CannedACL.Private,
        });
        var uploads = new List<Task<UploadPartResponse>>();
        for (int offset = 0, number = 1; offset < content.Length; offset += partSize, number++)
        {
            int count = Math.Min(partSize, content.Length - offset);
            uploads.Add(client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = initiated.UploadId,
                PartNumber = number,
                InputStream = new MemoryStream(content, offset, count, writable: false),
                PartSize = count,
            }));
        }

        UploadPartResponse[] parts = await Task.WhenAll(uploads);
        await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = initiated.UploadId,
            PartETags = parts.Select((part, i) => new PartETag(i + 1, part.ETag)).ToList(),
        });
    }

    /// <summary>Prints the request headers of the two PUTs side by side, marking those that differ.</summary>
    private static void CompareHeaders(S3RecordedRequest raw, S3RecordedRequest wharf)
    {
        // Per-request values: the signature, the time, the SDK's invocation id.
        string[] perRequest = ["Authorization", "X-Amz-Date", "amz-sdk-invocation-id"];
        Console.WriteLine("Headers of the 4 KiB PUT, raw and Wharf (per-request values — signature, time, invocation id — elided):");
        Console.WriteLine();
        Console.WriteLine("| Header | Raw SDK | Wharf | Same |");
        Console.WriteLine("|---|---|---|---|");
        foreach (string name in raw.Headers.Keys.Union(wharf.Headers.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            bool elide = perRequest.Contains(name, StringComparer.OrdinalIgnoreCase);
            string rawValue = raw.Headers.TryGetValue(name, out string? r) ? (elide ? "…" : r) : "(none)";
            string wharfValue = wharf.Headers.TryGetValue(name, out string? w) ? (elide ? "…" : w) : "(none)";
            bool same = elide ? raw.Headers.ContainsKey(name) == wharf.Headers.ContainsKey(name) : rawValue == wharfValue;
            Console.WriteLine($"| {name} | `{rawValue}` | `{wharfValue}` | {(same ? "yes" : "**no**")} |");
        }
    }

    /// <summary>A stream that hides its inner stream's length and position: content of unknown length.</summary>
    internal sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
