using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// One loaded manifest, precomputed for lookups: logical path → <see cref="ResolvedStaticAsset"/> with the full URL
/// already built. Immutable once built, so a reload swaps the whole index with one reference write and a lookup
/// that read the old reference finishes on a consistent snapshot.
/// </summary>
internal sealed class StaticAssetIndex
{
    /// <summary>How many distinct missing paths a non-strict index remembers (and warns about) before it stops caching them.</summary>
    /// <remarks>Bounded because a path can come from a request (<c>Url.StaticAsset(userInput)</c>): an unbounded cache would be a memory leak an attacker controls.</remarks>
    internal const int MaxRememberedMisses = 1024;

    private readonly ConcurrentDictionary<string, ResolvedStaticAsset> _misses = new(StringComparer.Ordinal);
    private int _missLimitReported;

    public StaticAssetIndex(StaticAssetManifest manifest, string baseUrl, string source, string stamp)
    {
        Manifest = manifest;
        BaseUrl = baseUrl;
        Source = source;
        Stamp = stamp;
        var entries = new Dictionary<string, ResolvedStaticAsset>(manifest.Assets.Count, StringComparer.Ordinal);
        foreach (StaticAsset stored in manifest.Assets.Values)
        {
            // The manifest decides which file a logical path means (the fingerprinted one when both exist).
            if (entries.ContainsKey(stored.LogicalPath) || !manifest.TryGetByLogicalPath(stored.LogicalPath, out StaticAsset? asset))
            {
                continue;
            }

            string url = string.Concat(baseUrl, StaticAssetPath.EscapeForUrl(asset.StoredPath));
            entries.Add(asset.LogicalPath, new ResolvedStaticAsset(asset.LogicalPath, url, asset.Integrity.Length == 0 ? null : asset.Integrity, asset));
        }

        // Frozen: slower to build (once per load), faster to read (every link in every page).
        Entries = entries.ToFrozenDictionary(StringComparer.Ordinal);
        SpanLookup = Entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public StaticAssetManifest Manifest { get; }

    public string BaseUrl { get; }

    /// <summary>Where the manifest came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The source's version of the manifest (file time and size, or ETag) when it was read.</summary>
    public string Stamp { get; }

    public FrozenDictionary<string, ResolvedStaticAsset> Entries { get; }

    /// <summary>Lookups by a slice of the requested string (leading <c>/</c> or suffix removed) without allocating a key.</summary>
    public FrozenDictionary<string, ResolvedStaticAsset>.AlternateLookup<ReadOnlySpan<char>> SpanLookup { get; }

    /// <summary>The unhashed fallback for a missing path; <paramref name="isNew"/> is true the first time this index sees it.</summary>
    public ResolvedStaticAsset GetMiss(ReadOnlySpan<char> logicalPath, out bool isNew, out bool limitReached)
    {
        limitReached = false;
        var lookup = _misses.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(logicalPath, out ResolvedStaticAsset? known))
        {
            isNew = false;
            return known;
        }

        string key = logicalPath.ToString();
        var miss = new ResolvedStaticAsset(key, string.Concat(BaseUrl, StaticAssetPath.EscapeForUrl(key)), null, null);
        if (_misses.Count >= MaxRememberedMisses)
        {
            // Past the bound: still answer, but neither remember nor warn per path (one warning says so).
            isNew = false;
            limitReached = Interlocked.Exchange(ref _missLimitReported, 1) == 0;
            return miss;
        }

        isNew = _misses.TryAdd(key, miss);
        return isNew ? miss : _misses[key];
    }

    /// <summary>A logical path that differs from <paramref name="logicalPath"/> only in case, for the error message.</summary>
    public string? FindCaseVariant(ReadOnlySpan<char> logicalPath)
    {
        foreach (string key in Entries.Keys)
        {
            if (logicalPath.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return null;
    }
}
