using System.Collections.Frozen;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Wharf.StaticManifest.Runtime;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Target 5: <see cref="IStaticAssetResolver.Resolve"/> hits on a 10,000-entry manifest, through the service an app
/// gets from <c>AddWharfStaticAssets</c>. The loop variants cycle over 1,024 different hit paths (spread over the
/// whole manifest, so the lookups do not all hit one cache line); the single variant resolves one path again and
/// again. The baseline is a bare <see cref="FrozenDictionary{TKey, TValue}"/> lookup over the same keys.
/// </summary>
[MemoryDiagnoser]
public class ResolverBenchmarks
{
    private const int Entries = 10_000;
    private const int Keys = 1024;

    private string _folder = null!;
    private ServiceProvider _services = null!;
    private IStaticAssetResolver _resolver = null!;
    private FrozenDictionary<string, string> _plain = null!;
    private string[] _keys = null!;
    private string[] _slashKeys = null!;
    private string _one = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Paths shaped like the npm tree's (package/dist/sub/name.min.ext), 10,000 of them.
        string[] packages = ["bootstrap", "@fortawesome/fontawesome-free", "katex", "leaflet", "lodash-es", "three", "highlight.js", "d3-scale", "chart.js", "tinymce"];
        string[] extensions = [".js", ".css", ".svg", ".woff2", ".mjs", ".png", ".map"];
        var assets = new List<StaticAsset>(Entries);
        for (int i = 0; i < Entries; i++)
        {
            string ext = extensions[i % extensions.Length];
            string logical = $"{packages[i % packages.Length]}/dist/{(i % 3 == 0 ? "esm/" : string.Empty)}module-{i:D5}{(i % 2 == 0 ? ".min" : string.Empty)}{ext}";
            string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
            assets.Add(new StaticAsset
            {
                LogicalPath = logical,
                StoredPath = Collecting.StaticCollector.FingerprintedName(logical, hash),
                Length = 1000 + i,
                ContentType = "application/octet-stream",
                ContentHash = hash,
                Integrity = "sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(BitConverter.GetBytes(i))),
            });
        }

        var manifest = new StaticAssetManifest(assets);
        _folder = Directory.CreateTempSubdirectory("wharf-resolver-bench-").FullName;
        string path = Path.Combine(_folder, StaticAssetManifest.DefaultName);
        File.WriteAllBytes(path, manifest.ToUtf8Bytes());

        _services = new ServiceCollection()
            .AddWharfStaticAssets(o =>
            {
                o.ManifestPath = path;
                o.BaseUrl = "https://cdn.example.com/static/";
                o.ReloadOnChange = false;
            })
            .BuildServiceProvider();
        _resolver = _services.GetRequiredService<IStaticAssetResolver>();
        _plain = assets.ToFrozenDictionary(a => a.LogicalPath, a => "https://cdn.example.com/static/" + a.StoredPath, StringComparer.Ordinal);

        var random = new Random(42);
        // Fresh string instances (as a view's literal or a computed path would be), not the manifest's own keys.
        _keys = [.. Enumerable.Range(0, Keys).Select(_ => new string(assets[random.Next(Entries)].LogicalPath.AsSpan()))];
        _slashKeys = [.. _keys.Select(k => "/" + k)];
        _one = new string(assets[10].LogicalPath.AsSpan());
        if (_resolver.Resolve(_one).Url.Length == 0 || _keys.Any(k => !_resolver.Resolve(k).IsInManifest))
        {
            throw new InvalidOperationException("the benchmark keys must all be hits");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Keys, Description = "FrozenDictionary lookup (1,024 keys)")]
    public int PlainLookup()
    {
        int sum = 0;
        foreach (string key in _keys)
        {
            sum += _plain[key].Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Keys, Description = "Resolve hit (1,024 keys)")]
    public int Resolve()
    {
        int sum = 0;
        foreach (string key in _keys)
        {
            sum += _resolver.Resolve(key).Url.Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Keys, Description = "Resolve hit, leading '/' (1,024 keys)")]
    public int ResolveLeadingSlash()
    {
        int sum = 0;
        foreach (string key in _slashKeys)
        {
            sum += _resolver.Resolve(key).Url.Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Keys, Description = "TryResolve hit (1,024 keys)")]
    public int TryResolve()
    {
        int sum = 0;
        foreach (string key in _keys)
        {
            sum += _resolver.TryResolve(key, out ResolvedStaticAsset? asset) ? asset.Url.Length : 0;
        }

        return sum;
    }

    [Benchmark(Description = "Resolve hit (one key)")]
    public string ResolveOne() => _resolver.Resolve(_one).Url;
}
