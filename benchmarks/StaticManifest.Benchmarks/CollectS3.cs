using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.StaticManifest.Collecting;
using Wharf.Storage.S3;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Target 3: collects to S3 (a real server: Ceph RGW from eng/servers/rgw), then re-collects after one change and
/// counts what each re-collect uploads — with a counting <see cref="Wharf.Storage.IStorage"/> wrapper (saves by name)
/// and a counting HTTP handler under the SDK (requests by method).
/// </summary>
internal static class CollectS3
{
    public static async Task<int> RunAsync(string tree, string work)
    {
        string endpoint = Require("WHARF_S3_ENDPOINT");
        string accessKey = Require("WHARF_S3_ACCESS_KEY");
        string secretKey = Require("WHARF_S3_SECRET_KEY");
        string region = Environment.GetEnvironmentVariable("WHARF_S3_REGION") is { Length: > 0 } r ? r : "us-east-1";
        (int files, long bytes) = Tree.Measure(tree);
        Console.WriteLine($"Tree {tree}: {files:N0} files, {bytes / 1e6:F1} MB; S3 {endpoint}; cache option {(CacheOption.IsAvailable ? "available" : "not available")}");

        Directory.CreateDirectory(work);
        string source = Path.Combine(work, "s3-src");
        Shell.Run("rm -rf \"$2\" && cp -r \"$1\" \"$2\"", tree, source);

        var http = new CountingHttp();
        using var client = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            AuthenticationRegion = region,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = http,
        });

        CountingStorage Storage(string bucket) => new(new S3Storage("bench", new S3StorageOptions
        {
            Bucket = bucket,
            ServiceUrl = endpoint,
            ForcePathStyle = true,
            Region = region,
            AccessKey = accessKey,
            SecretKey = secretKey,
            ChecksumMode = S3ChecksumMode.WhenRequired,
        }, client));

        var variants = new List<(string Name, string Bucket, string? Cache)> { ("no cache", NewBucket(), null) };
        if (CacheOption.IsAvailable)
        {
            variants.Add(("cache file", NewBucket(), Path.Combine(work, "s3.cache")));
        }

        // One collector kept between collects (a watch, a long-lived service): its storage and collector are made once.
        string keptBucket = NewBucket();
        variants.Add(("same collector", keptBucket, null));
        CountingStorage keptStorage = Storage(keptBucket);
        var kept = new StaticCollector(keptStorage, Collects.Options(source, precompress: false));

        try
        {
            foreach ((_, string bucket, _) in variants)
            {
                await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
            }

            var scenarios = new (string Name, Action Change)[]
            {
                ("full collect (empty bucket)", () => { }),
                ("re-collect, nothing changed", () => { }),
                ("re-collect, one CSS file nothing references changed", () => Append(Path.Combine(source, CollectFileSystem.TouchedCss), Encoding.UTF8.GetBytes("\n/* bench */\n"))),
                ("re-collect, one image nothing references changed", () => Append(Path.Combine(source, CollectFileSystem.TouchedImage), Encoding.UTF8.GetBytes("\n<!-- bench -->\n"))),
                ("re-collect, one image a CSS file references changed", () => Append(Path.Combine(source, CollectFileSystem.TouchedReferencedImage), [1, 2, 3, 4])),
            };

            Console.WriteLine();
            Console.WriteLine("Target 3 — S3 re-collect uploads only what changed");
            Console.WriteLine("| Scenario | Variant | Wall (ms) | Saves | Saved names | Storage calls | HTTP requests |");
            Console.WriteLine("|---|---|---:|---:|---|---|---|");
            bool pass = true;
            foreach ((string scenario, Action change) in scenarios)
            {
                change();
                foreach ((string variant, string bucket, string? cache) in variants)
                {
                    CountingStorage storage = bucket == keptBucket ? keptStorage : Storage(bucket);
                    storage.Reset();
                    http.Reset();
                    (Measurement m, CollectResult result) = await Measurement.RunAsync(() => bucket == keptBucket
                        ? kept.CollectAsync()
                        : Collects.RunAsync(storage, Collects.Options(source, precompress: false, cache)));
                    IReadOnlyList<string> saved = storage.Saved;
                    string names = saved.Count <= 6 ? string.Join(", ", saved.Order(StringComparer.Ordinal)) : $"{saved.Count(n => n != StaticAssetManifest.DefaultName):N0} files + manifest";
                    Console.WriteLine($"| {scenario} | {variant} | {Stats.F(m.WallMs, 0)} | {saved.Count:N0} | {names} | {storage.Summary} | {http.Summary} |");
                    if (scenario.StartsWith("re-collect, one", StringComparison.Ordinal))
                    {
                        // Only the changed file's two names (original + fingerprinted), those of a CSS file that refers to it, and the manifest.
                        int allowed = scenario.Contains("references changed", StringComparison.Ordinal) ? 5 : 3;
                        pass &= saved.Count <= allowed;
                    }
                    else if (scenario.StartsWith("re-collect, nothing", StringComparison.Ordinal))
                    {
                        pass &= saved.Count <= 1;
                    }
                }
            }

            Console.WriteLine($"  RESULT target3 re-collects upload only the changed files: {(pass ? "PASS" : "FAIL")}");
            return 0;

        }
        finally
        {
            foreach ((_, string bucket, _) in variants)
            {
                await DeleteBucketAsync(client, bucket);
            }
        }
    }

    private static string NewBucket() => "wharf-smbench-" + Guid.NewGuid().ToString("N")[..16];

    private static void Append(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }

    private static string Require(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{variable} is not set: start an RGW (eng/servers/rgw/start.sh) and source its env file; eng/benchmark-static.sh s3 does both.");

    private static async Task DeleteBucketAsync(IAmazonS3 client, string bucket)
    {
        string? token = null;
        do
        {
            ListObjectsV2Response page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            for (int start = 0; start < keys.Count; start += 1000)
            {
                var request = new DeleteObjectsRequest { BucketName = bucket, Quiet = true };
                foreach (string key in keys.Skip(start).Take(1000))
                {
                    request.AddKey(key);
                }

                await client.DeleteObjectsAsync(request);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
    }

    /// <summary>The SDK's HTTP stack with a handler that counts requests by method.</summary>
    private sealed class CountingHttp : HttpClientFactory
    {
        private readonly ConcurrentDictionary<string, int> _byMethod = new(StringComparer.Ordinal);

        public string Summary => string.Join(", ", _byMethod.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"));

        public void Reset() => _byMethod.Clear();

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var inner = new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false };
            return new HttpClient(new Handler(this, inner)) { Timeout = Timeout.InfiniteTimeSpan };
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

        private sealed class Handler(CountingHttp owner, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string method = request.Method.Method;
                if (method == "GET" && request.RequestUri?.Query.Contains("list-type", StringComparison.Ordinal) == true)
                {
                    method = "LIST";
                }

                owner._byMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
