using Microsoft.AspNetCore.Http;

namespace Wharf.StaticManifest.Serving;

/// <summary>
/// Options of the static asset middleware (<c>UseWharfStaticAssets</c>): it serves the files a collected static root's
/// manifest lists, and only those, with immutable caching for fingerprinted names, precompressed variants chosen by
/// <c>Accept-Encoding</c>, RFC 9110 conditional requests and single byte ranges.
/// </summary>
public sealed class StaticAssetServingOptions
{
    /// <summary>The default <see cref="MaxAge"/>: 60 seconds, whitenoise's default.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(60);

    /// <summary>The default <see cref="ManifestCheckInterval"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultManifestCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The URL path the assets are served under (default <c>/static</c>); <c>/static/css/site.1a2b3c4d5e6f.css</c> serves
    /// the stored file <c>css/site.1a2b3c4d5e6f.css</c>. Like <c>UseStaticFiles</c>, the prefix is matched without regard
    /// to case; the stored path after it is matched exactly.
    /// </summary>
    public PathString RequestPath { get; set; } = new("/static");

    /// <summary>
    /// The collected static root: the folder holding the stored files and the manifest. A relative path is relative
    /// to the application's content root. Required.
    /// </summary>
    public string? RootPath { get; set; }

    /// <summary>The manifest's file name, relative to <see cref="RootPath"/> (default <c>staticfiles.json</c>).</summary>
    public string ManifestName { get; set; } = StaticAssetManifest.DefaultName;

    /// <summary>
    /// How long browsers and CDNs may cache files whose names carry no content hash (default 60 seconds): they can
    /// change under the same URL. Fingerprinted files are always cached for a year as <c>immutable</c>.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = DefaultMaxAge;

    /// <summary>
    /// How often, at most, a request checks whether the manifest changed (its size and modification time; default 2
    /// seconds). A changed manifest is read in the background and replaces the index at once; requests never wait for
    /// it. <see cref="TimeSpan.Zero"/> checks on every request; <see cref="Timeout.InfiniteTimeSpan"/> reads the manifest
    /// once, at start-up.
    /// </summary>
    public TimeSpan ManifestCheckInterval { get; set; } = DefaultManifestCheckInterval;

    /// <summary>
    /// Whether responses carry <c>Access-Control-Allow-Origin: *</c> (default <see langword="false"/>, as
    /// <c>UseStaticFiles</c>). Turn it on when another origin (a CDN host, say) loads fonts, modules or
    /// <c>crossorigin</c> scripts from here.
    /// </summary>
    public bool AllowAllOrigins { get; set; }

    /// <summary>
    /// Called for every response for an asset except <c>405</c> (so for 200, 206, 304, 412 and 416), after the
    /// middleware set its status and headers and before the body is sent: add or change headers here.
    /// </summary>
    public Action<StaticAssetResponseContext>? OnPrepareResponse { get; set; }
}

/// <summary>What <see cref="StaticAssetServingOptions.OnPrepareResponse"/> gets: the request and the file being answered with.</summary>
public sealed class StaticAssetResponseContext
{
    internal StaticAssetResponseContext(HttpContext context, StaticAsset asset, string? contentEncoding, string physicalPath)
    {
        Context = context;
        Asset = asset;
        ContentEncoding = contentEncoding;
        PhysicalPath = physicalPath;
    }

    /// <summary>The request and its response (status code and headers already set).</summary>
    public HttpContext Context { get; }

    /// <summary>The manifest entry being served.</summary>
    public StaticAsset Asset { get; }

    /// <summary>The content coding of the representation chosen (<c>br</c>, <c>gzip</c>), or <see langword="null"/> for identity.</summary>
    public string? ContentEncoding { get; }

    /// <summary>The full path of the file on disk whose bytes are (or would be) sent.</summary>
    public string PhysicalPath { get; }
}
