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
    /// The file name that stands for its folder (whitenoise's <c>WHITENOISE_INDEX_FILE</c>), such as <c>index.html</c>;
    /// <see langword="null"/> or empty (the default) turns the feature off. A plain name: no <c>/</c> or <c>\</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With <c>index.html</c>, for every folder whose <c>index.html</c> the manifest lists (by logical path):
    /// <c>/static/docs/</c> serves it (<c>/static/</c> the root's), as any asset — negotiated encoding, its ETags,
    /// conditionals, ranges, HEAD — but always with the short <see cref="MaxAge"/>, since the folder URL does not change
    /// when the page does; <c>/static/docs</c> redirects (302) to <c>docs/</c> and <c>/static/docs/index.html</c> to
    /// <c>./</c>, with the query string kept and <c>Cache-Control</c> of <see cref="MaxAge"/>. The fingerprinted name
    /// (<c>docs/index.1a2b3c4d5e6f.html</c>) is served under its own URL as any fingerprinted file, immutable.
    /// </para>
    /// <para>
    /// The folder URLs are worked out when the manifest is read, so a request costs one lookup, as for any asset; a
    /// folder without an index file is not listed (it is passed on), and a stored file named like a folder wins over
    /// that folder's slash redirect.
    /// </para>
    /// </remarks>
    public string? IndexFile { get; set; }

    /// <summary>
    /// Called for every response for an asset except <c>405</c> (so for 200, 206, 304, 412 and 416), after the
    /// middleware set its status and headers and before the body is sent: add or change headers here. The index-file
    /// redirects (<see cref="IndexFile"/>) are not asset responses and do not call it.
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
