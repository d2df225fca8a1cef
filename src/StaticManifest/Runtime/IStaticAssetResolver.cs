using System.Diagnostics.CodeAnalysis;

namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// Turns logical static paths (<c>css/site.css</c>) into the URLs of their collected, fingerprinted files
/// (<c>/static/css/site.1a2b3c4d5e6f.css</c> or <c>https://cdn.example.com/static/css/site.1a2b3c4d5e6f.css</c>),
/// with their Subresource Integrity values.
/// </summary>
/// <remarks>
/// <para>
/// Paths are the manifest's logical paths, compared ordinally (case-sensitive). One leading <c>/</c> is ignored, and a
/// query or fragment (<c>font.woff2?v=1#x</c>) is kept on the resolved URL; nothing else is normalized.
/// </para>
/// <para>
/// A hit costs one lookup in an index built when the manifest loads and allocates nothing: the URL strings are
/// precomputed. A path with a query or fragment, and a miss, take a slower path that may allocate.
/// </para>
/// </remarks>
public interface IStaticAssetResolver
{
    /// <summary>Resolves a logical path.</summary>
    /// <param name="path">A logical path such as <c>css/site.css</c>, <c>/css/site.css</c> or <c>fonts/a.woff2?v=1#x</c>.</param>
    /// <returns>The asset's URL and integrity; for a hit without a suffix, the same cached instance every time.</returns>
    /// <exception cref="StaticAssetNotFoundException">The manifest has no such path and lookups are strict (the default).</exception>
    /// <exception cref="ArgumentException">The path is empty or only a query or fragment.</exception>
    /// <exception cref="StaticManifestException">The manifest has not been loaded and cannot be.</exception>
    /// <remarks>When lookups are not strict, a miss returns the unhashed URL (<see cref="ResolvedStaticAsset.IsInManifest"/> false) and logs a warning once per path.</remarks>
    ResolvedStaticAsset Resolve(string path);

    /// <summary>Resolves a logical path when the manifest has it; never falls back and never throws for a miss.</summary>
    /// <param name="path">A logical path, as for <see cref="Resolve"/>.</param>
    /// <param name="asset">The resolved asset, when found.</param>
    bool TryResolve(string path, [NotNullWhen(true)] out ResolvedStaticAsset? asset);

    /// <summary>The URL of a logical path: <c>Resolve(path).Url</c>.</summary>
    /// <exception cref="StaticAssetNotFoundException">The manifest has no such path and lookups are strict.</exception>
    string GetUrl(string path);
}

/// <summary>A logical path resolved to its URL. Instances for manifest hits are built once per loaded manifest and shared.</summary>
public sealed class ResolvedStaticAsset
{
    internal ResolvedStaticAsset(string logicalPath, string url, string? integrity, StaticAsset? asset)
    {
        LogicalPath = logicalPath;
        Url = url;
        Integrity = integrity;
        Asset = asset;
    }

    /// <summary>The manifest key: the logical path without a leading <c>/</c>, query or fragment.</summary>
    public string LogicalPath { get; }

    /// <summary>The URL to put in the page: the base URL, the escaped stored path, and the requested query or fragment if any.</summary>
    public string Url { get; }

    /// <summary>The Subresource Integrity value (<c>sha384-…</c>), or <see langword="null"/> when the manifest has none (a Django manifest) or the asset is not in it.</summary>
    public string? Integrity { get; }

    /// <summary>The manifest's entry, or <see langword="null"/> for the unhashed fallback of a non-strict miss.</summary>
    public StaticAsset? Asset { get; }

    /// <summary>Whether the manifest has the path (false only for a non-strict fallback).</summary>
    [MemberNotNullWhen(true, nameof(Asset))]
    public bool IsInManifest => Asset is not null;

    /// <summary>The URL.</summary>
    public override string ToString() => Url;

    internal ResolvedStaticAsset WithSuffix(ReadOnlySpan<char> suffix) =>
        suffix.IsEmpty ? this : new ResolvedStaticAsset(LogicalPath, string.Concat(Url, suffix), Integrity, Asset);
}
