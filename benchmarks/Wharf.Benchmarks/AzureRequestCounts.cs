using System.Globalization;
using System.Net;
using System.Text;
using Wharf.Storage;
using Wharf.Storage.AzureBlob;

namespace Wharf.Benchmarks;

/// <summary>
/// Counts the HTTP requests each operation sends to Azurite (see <see cref="AzureBenchServer"/>), for Wharf and for
/// raw REST calls doing the same job, with an <see cref="AzureRequestCounter"/> under the <see cref="HttpClient"/>
/// both use (Wharf's Azure.Core transport).
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --requests azure</c>. Prints a table of
/// counts (with each request: method, path, condition, status) and the headers of Wharf's Put Blob beside the raw
/// one. Exits with code 1 if a count differs from the expected one.
/// </remarks>
internal static class AzureRequestCounts
{
    private const int SmallSize = 4 * 1024;
    private const int LargeSize = 20 * 1024 * 1024;

    public static async Task<int> RunAsync()
    {
        var counter = new AzureRequestCounter();
        using HttpClient http = AzureBenchServer.CreateHttpClient(counter);
        var raw = new AzureRawBlobClient(http, AzureBenchServer.NewContainerName());
        string container = raw.Container;
        await raw.CreateContainerAsync();
        int failures = 0;
        try
        {
            AzureBlobStorageOptions options = AzureBenchServer.Options(container, http, location: "wharf");
            await using var storage = new AzureBlobStorage("bench", options);
            byte[] small = BenchDirectory.CreateContent(SmallSize);
            byte[] large = BenchDirectory.CreateContent(LargeSize);
            int blocks = (LargeSize + options.BlockSize - 1) / options.BlockSize;

            // Set-up, not counted: blobs that make names taken.
            await storage.SaveBytesAsync("taken.bin", small);
            await RawPutAsync(raw, "plain/taken.bin", small);
            await RawPutAsync(raw, "plain/django-taken.bin", small);
            counter.Take();

            Console.WriteLine($"Azure Blob requests per operation against {AzureBenchServer.Endpoint} (container {container}); every HTTP exchange counted.");
            Console.WriteLine();
            Console.WriteLine("| Side | Operation | Requests | Expected | Sequence |");
            Console.WriteLine("|---|---|---:|---:|---|");

            IReadOnlyList<AzureRecordedRequest> wharfPut = await CountAsync("Wharf", "SaveAsync, free name, 4 KiB", 1, () => SaveAsync(storage, "free.bin", small));
            await CountAsync("Wharf", "SaveAsync, taken name, 4 KiB", 2, async () =>
                Check((await SaveAsync(storage, "taken.bin", small)).Name != "taken.bin", "the second save of taken.bin kept the name"));
            await CountAsync("Wharf", "OpenReadAsync + read to end, 4 KiB", 1, async () =>
            {
                await using Stream stream = await storage.OpenReadAsync("free.bin");
                await stream.CopyToAsync(Stream.Null);
            });
            await CountAsync("Wharf", "ExistsAsync, missing name", 1, async () =>
                Check(!await storage.ExistsAsync("missing.bin"), "missing.bin exists"));
            await CountAsync("Wharf", $"SaveAsync, free name, 20 MiB (blocks: {blocks} of ≤ {options.BlockSize / (1024 * 1024)} MiB)", 2 + blocks, async () =>
            {
                using var content = new MemoryStream(large, writable: false);
                SaveResult result = await storage.SaveAsync("large.bin", content);
                Check(result.Length == LargeSize, $"the block upload stored {result.Length} bytes");
            });
            await CountAsync("Wharf", "SaveAsync, free name, 20 MiB of unknown length (non-seekable stream)", 2 + blocks, async () =>
            {
                using var content = new S3RequestCounts.ForwardOnlyStream(new MemoryStream(large, writable: false));
                await storage.SaveAsync("large-unknown-length.bin", content);
            });

            IReadOnlyList<AzureRecordedRequest> rawPut = await CountAsync("Raw HttpClient", "Put Blob If-None-Match: *, free name, 4 KiB", 1, () =>
                RawPutAsync(raw, "plain/free.bin", small));
            await CountAsync("Raw HttpClient", "Put Blob If-None-Match: * on a taken name (409), then on another name, 4 KiB", 2, async () =>
            {
                Check(await RawPutAsync(raw, "plain/taken.bin", small) == HttpStatusCode.Conflict, "the conditional Put Blob of a taken name succeeded");
                await RawPutAsync(raw, "plain/taken_abcdefg.bin", small);
            });
            await CountAsync("Raw HttpClient", "Get Blob + read to end, 4 KiB", 1, async () =>
            {
                using HttpResponseMessage response = await raw.GetBlobAsync("plain/free.bin");
                await response.Content.CopyToAsync(Stream.Null);
            });
            await CountAsync("Raw HttpClient", $"block upload, 20 MiB: {blocks} Put Block, Put Block List (no name claim)", 1 + blocks, () =>
                RawBlockUploadAsync(raw, "plain/large.bin", large, options.BlockSize));
            await CountAsync("Raw HttpClient", "HEAD then conditional Put Blob (the django-storages `overwrite_files=False` sequence), free name, 4 KiB", 2, () =>
                HeadThenPutAsync(raw, "plain/django-free.bin", small));
            await CountAsync("Raw HttpClient", "HEAD then conditional Put Blob (the django-storages `overwrite_files=False` sequence), taken name, 4 KiB", 3, () =>
                HeadThenPutAsync(raw, "plain/django-taken.bin", small));

            Console.WriteLine();
            CompareHeaders(rawPut.Single(), wharfPut.Single());
        }
        finally
        {
            await raw.DeleteContainerAsync();
        }

        if (failures > 0)
        {
            Console.Error.WriteLine($"{failures} request count(s) or check(s) differ from the expected ones.");
            return 1;
        }

        return 0;

        // Runs the operation, prints its row, counts a difference from the expected number as a failure.
        async Task<IReadOnlyList<AzureRecordedRequest>> CountAsync(string side, string operation, int expected, Func<Task> action)
        {
            counter.Take();
            await action();
            IReadOnlyList<AzureRecordedRequest> sent = counter.Take();
            string verdict = sent.Count == expected ? expected.ToString(CultureInfo.InvariantCulture) : $"{expected} **(differs)**";
            Check(sent.Count == expected, $"{side} {operation}: {sent.Count} requests, expected {expected}");
            Console.WriteLine($"| {side} | {operation} | {sent.Count} | {verdict} | {string.Join("; ", sent.Select(r => r.Describe(container)))} |");
            return sent;
        }

        void Check(bool condition, string problem)
        {
            if (!condition)
            {
                Console.Error.WriteLine("Unexpected: " + problem);
            }

            failures += condition ? 0 : 1;
        }
    }

    private static async Task<SaveResult> SaveAsync(AzureBlobStorage storage, string name, byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await storage.SaveAsync(name, stream);
    }

    private static async Task<HttpStatusCode> RawPutAsync(AzureRawBlobClient raw, string blobName, byte[] content, bool ifNoneMatch = true)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await raw.PutBlobAsync(blobName, stream, ifNoneMatch);
    }

    /// <summary>
    /// What django-storages' AzureStorage does with <c>overwrite_files=False</c> (docs:
    /// ../shared/reference/django-wagtail.md §4): Django's <c>get_available_name</c> loop, one <c>exists()</c> = HEAD
    /// per candidate, then <c>upload_blob(overwrite=False)</c>, a Put Blob with <c>If-None-Match: *</c> for small
    /// content. Emulated with raw calls to count the requests; Django itself is not run.
    /// </summary>
    private static async Task HeadThenPutAsync(AzureRawBlobClient raw, string blobName, byte[] content)
    {
        string candidate = blobName;
        while (await raw.ExistsAsync(candidate))
        {
            candidate = blobName[..^4] + "_" + Guid.NewGuid().ToString("N")[..7] + ".bin";
        }

        await RawPutAsync(raw, candidate, content);
    }

    /// <summary>Put Block for each block (all at once), then Put Block List: an upload that claims no name first.</summary>
    private static async Task RawBlockUploadAsync(AzureRawBlobClient raw, string blobName, byte[] content, int blockSize)
    {
        var ids = new List<string>();
        var uploads = new List<Task>();
        for (int offset = 0; offset < content.Length; offset += blockSize)
        {
            string id = Convert.ToBase64String(Encoding.ASCII.GetBytes(offset.ToString("D12", CultureInfo.InvariantCulture)));
            ids.Add(id);
            uploads.Add(raw.PutBlockAsync(blobName, id, content.AsMemory(offset, Math.Min(blockSize, content.Length - offset))));
        }

        await Task.WhenAll(uploads);
        await raw.PutBlockListAsync(blobName, ids);
    }

    /// <summary>Prints the request headers of both Put Blobs side by side; per-request values (signature, time, request id) elided.</summary>
    private static void CompareHeaders(AzureRecordedRequest raw, AzureRecordedRequest wharf)
    {
        string[] perRequest = ["Authorization", "x-ms-date", "x-ms-client-request-id"];
        Console.WriteLine("Headers of the Put Blob of a free name, 4 KiB, raw and Wharf (signature, time and request id elided):");
        Console.WriteLine();
        Console.WriteLine("| Header | Raw HttpClient | Wharf | Same |");
        Console.WriteLine("|---|---|---|---|");
        foreach (string name in raw.Headers.Keys.Union(wharf.Headers.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            string Show(AzureRecordedRequest side) => !side.Headers.TryGetValue(name, out string? value)
                ? "(none)"
                : perRequest.Contains(name, StringComparer.OrdinalIgnoreCase) ? "…" : value;
            string rawShown = Show(raw);
            string wharfShown = Show(wharf);
            Console.WriteLine($"| {name} | `{rawShown}` | `{wharfShown}` | {(rawShown == wharfShown ? "yes" : "**no**")} |");
        }
    }
}
