using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Wharf.StaticManifest.Serving;

/// <summary>
/// Serves the files of a collected static root that its manifest lists (whitenoise for Kestrel). A request for a
/// listed path is answered here; anything else goes to the next middleware. See <see cref="StaticAssetServingOptions"/>.
/// </summary>
internal sealed class StaticAssetMiddleware
{
    private static readonly StringValues AllowedMethods = "GET, HEAD";
    private static readonly StringValues VaryAcceptEncoding = "Accept-Encoding";
    private static readonly StringValues Bytes = "bytes";
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues AnyOrigin = "*";

    /// <summary>The prefix without its slash when the root has an index file; its Location depends on the request.</summary>
    private static readonly StaticAssetRedirect PrefixWithoutSlash = new(string.Empty);

    /// <summary>Where the options usually come from; the start-up errors name it so the key to fix is obvious.</summary>
    private const string ConfigurationSection = "Wharf:StaticServing";

    private readonly RequestDelegate _next;
    private readonly StaticAssetServingOptions _options;
    private readonly StaticAssetIndexSource _source;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private readonly StringValues _redirectCacheControl;

    /// <summary>Creates the middleware; reads the manifest before returning.</summary>
    public StaticAssetMiddleware(RequestDelegate next, IOptions<StaticAssetServingOptions> options, ILoggerFactory loggerFactory, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _next = next;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger("Wharf.StaticManifest.Serving");
        if (string.IsNullOrWhiteSpace(_options.RootPath))
        {
            throw InvalidOption(nameof(StaticAssetServingOptions.RootPath), "is not set: give the folder the collect step wrote (the one holding staticfiles.json).");
        }

        if (_options.MaxAge < TimeSpan.Zero)
        {
            throw InvalidOption(nameof(StaticAssetServingOptions.MaxAge), $"cannot be negative; it is {_options.MaxAge}.");
        }

        if (_options.ManifestCheckInterval < TimeSpan.Zero && _options.ManifestCheckInterval != Timeout.InfiniteTimeSpan)
        {
            throw InvalidOption(nameof(StaticAssetServingOptions.ManifestCheckInterval), $"cannot be negative; it is {_options.ManifestCheckInterval} (Timeout.InfiniteTimeSpan, -00:00:00.001, means never check).");
        }

        if (string.IsNullOrWhiteSpace(_options.ManifestName))
        {
            throw InvalidOption(nameof(StaticAssetServingOptions.ManifestName), "is not set.");
        }

        if (IndexFileProblem(_options.IndexFile) is { } problem)
        {
            throw InvalidOption(nameof(StaticAssetServingOptions.IndexFile), problem);
        }

        string root = _options.RootPath;
        if (!Path.IsPathRooted(root) && environment is not null)
        {
            root = Path.Combine(environment.ContentRootPath, root);
        }

        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _prefix = _options.RequestPath.Value?.TrimEnd('/') ?? string.Empty;
        _redirectCacheControl = StaticAssetIndex.ShortLivedCacheControl(_options);
        _source = new StaticAssetIndexSource(root, _options, _logger);
    }

    /// <summary>Answers a request for a listed asset (or, with index files, a folder), or passes the request on.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        // An endpoint chosen by routing (UseRouting before us) owns the request, as with UseStaticFiles.
        if (context.GetEndpoint()?.RequestDelegate is null && TryMatch(context.Request, out StaticAssetTarget? target))
        {
            return target is StaticAssetEntry entry ? ServeAsync(context, entry) : RedirectAsync(context, (StaticAssetRedirect)target);
        }

        return _next(context);
    }

    /// <summary>
    /// Why an <see cref="StaticAssetServingOptions.IndexFile"/> cannot be used, or <see langword="null"/> when it can
    /// (or is off). It is compared with the last segment of logical paths, so anything with a separator could never
    /// match: better a start-up error than a feature that silently does nothing.
    /// </summary>
    internal static string? IndexFileProblem(string? indexFile)
    {
        if (string.IsNullOrEmpty(indexFile))
        {
            return null;
        }

        if (indexFile.Equals("true", StringComparison.OrdinalIgnoreCase) || indexFile.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            // WHITENOISE_INDEX_FILE = True means index.html; a port of those settings should not get a file named "true".
            return $"is '{indexFile}': give the file name itself, such as index.html (leave it empty to turn index files off).";
        }

        bool controls = false;
        foreach (char c in indexFile)
        {
            controls |= char.IsControl(c);
        }

        if (controls || indexFile is "." or ".." || indexFile.AsSpan().IndexOfAny('/', '\\', ':') >= 0 || indexFile.AsSpan().Trim().Length != indexFile.Length)
        {
            return $"must be a plain file name such as index.html, without '/', '\\', ':', control characters or surrounding spaces, and not '.' or '..'; it is '{indexFile}'.";
        }

        return null;
    }

    private static InvalidOperationException InvalidOption(string name, string problem) =>
        new($"StaticAssetServingOptions.{name} (configuration key {ConfigurationSection}:{name}) {problem}");

    /// <summary>
    /// The URL path (already percent-decoded by the server, <c>%2F</c> excepted) minus the prefix and its slash must be
    /// a key of the index, character for character: a stored path, or with index files a folder path. Nothing is ever
    /// joined to the root from the URL, so <c>..</c>, encoded or not, backslashes, <c>//</c> and the like are simply
    /// paths the index does not have.
    /// </summary>
    private bool TryMatch(HttpRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAssetTarget? target)
    {
        target = null;
        string path = request.Path.Value ?? string.Empty;
        if (path.Length < _prefix.Length || !path.AsSpan(0, _prefix.Length).Equals(_prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        StaticAssetIndex index = _source.Current;
        if (path.Length == _prefix.Length)
        {
            // "/static" itself (or, at the site root, an empty path under a path base): ours only to redirect to the
            // root's index, and only when there is something to name in the Location.
            if (index.HasRootIndex && (path.Length > 0 || request.PathBase.HasValue))
            {
                target = PrefixWithoutSlash;
                return true;
            }

            return false;
        }

        return path[_prefix.Length] == '/' && index.TryGet(path.AsSpan(_prefix.Length + 1), out target);
    }

    /// <summary>
    /// An index-file redirect: 302, as whitenoise, with a relative Location (right behind any proxy or path base, and
    /// what whitenoise sends) and the query string kept, so <c>docs?page=2</c> still reaches the page with its query.
    /// The short max-age lets browsers and CDNs skip the extra round trip without pinning a redirect that a later deploy
    /// may drop. Method rules are an asset's: these are paths the index lists, not unknown ones, so a POST gets 405.
    /// </summary>
    private Task RedirectAsync(HttpContext context, StaticAssetRedirect redirect)
    {
        if (AnsweredWith405(context))
        {
            return Task.CompletedTask;
        }

        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string location = ReferenceEquals(redirect, PrefixWithoutSlash) ? Uri.EscapeDataString(LastSegment(request)) + "/" : redirect.Location;
        location = Http.AppendQuery(location, request.QueryString.Value);
        response.StatusCode = StatusCodes.Status302Found;
        IHeaderDictionary headers = response.Headers;
        headers.Location = location;
        headers.CacheControl = _redirectCacheControl;
        if (_options.AllowAllOrigins)
        {
            // CORS checks every hop of a redirected fetch, so the redirect needs the header as much as the asset does.
            headers.AccessControlAllowOrigin = AnyOrigin;
        }

        response.ContentLength = 0;
        StaticAssetServingLog.Redirected(_logger, request.PathBase.Add(request.Path).Value ?? string.Empty, location);
        return Task.CompletedTask;
    }

    /// <summary>The last segment of the URL as the client wrote it (the prefix's own case), which a relative Location must repeat.</summary>
    private static string LastSegment(HttpRequest request)
    {
        string path = request.Path.HasValue ? request.Path.Value! : request.PathBase.Value!;
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>Answers 405 to anything but GET and HEAD; RFC 9110 §15.5.6 requires <c>Allow</c>.</summary>
    private static bool AnsweredWith405(HttpContext context)
    {
        string method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return false;
        }

        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        response.Headers.Allow = AllowedMethods;
        response.ContentLength = 0;
        return true;
    }

    private Task ServeAsync(HttpContext context, StaticAssetEntry entry)
    {
        if (AnsweredWith405(context))
        {
            return Task.CompletedTask;
        }

        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool isGet = HttpMethods.IsGet(request.Method);

        IHeaderDictionary requestHeaders = request.Headers;
        if (!TryChoose(entry, requestHeaders.AcceptEncoding, out StaticAssetRepresentation? representation, out RepresentationFile? file))
        {
            return _next(context); // Listed but not on disk (logged): not ours to answer.
        }

        // RFC 9110 §13.2.2, in its order, against the representation chosen: each encoding has its own validator.
        int status = EvaluatePreconditions(requestHeaders, file);
        long start = 0;
        long count = file.Length;
        if (status == StatusCodes.Status200OK && isGet && requestHeaders.Range.Count > 0 && IfRangeHolds(requestHeaders.IfRange, file))
        {
            // Range is only defined for GET (§14.2): HEAD ignores it. The range is over the chosen representation's
            // bytes, with that representation's ETag; a resumed br download keeps getting br, and If-Range holding
            // the br tag proves the bytes line up. (Falling back to identity would make every resume of a
            // compressed download start over, since its tag never matches identity's.)
            switch (ByteRangeParser.Parse(requestHeaders.Range, file.Length, out long rangeStart, out long rangeCount))
            {
                case ByteRangeRequest.Satisfiable:
                    status = StatusCodes.Status206PartialContent;
                    start = rangeStart;
                    count = rangeCount;
                    break;
                case ByteRangeRequest.Unsatisfiable:
                    status = StatusCodes.Status416RangeNotSatisfiable;
                    break;
                default:
                    break;
            }
        }

        response.StatusCode = status;
        IHeaderDictionary headers = response.Headers;
        if (entry.HasVariants)
        {
            headers.Vary = VaryAcceptEncoding;
        }

        headers.XContentTypeOptions = NoSniff;
        if (_options.AllowAllOrigins)
        {
            headers.AccessControlAllowOrigin = AnyOrigin;
        }

        switch (status)
        {
            case StatusCodes.Status200OK or StatusCodes.Status206PartialContent:
                WriteValidators(headers, entry, file);
                headers.ContentType = entry.ContentType;
                if (representation.Coding is not null)
                {
                    headers.ContentEncoding = representation.ContentEncoding;
                }

                headers.AcceptRanges = Bytes;
                response.ContentLength = count;
                if (status == StatusCodes.Status206PartialContent)
                {
                    headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{start + count - 1}/{file.Length}");
                }

                break;
            case StatusCodes.Status304NotModified:
                // §15.4.5: what a 200 would carry of ETag, Vary, Cache-Control (set above and here), plus
                // Last-Modified to refresh a cache's copy; no content metadata (type, length, encoding).
                WriteValidators(headers, entry, file);
                break;
            case StatusCodes.Status416RangeNotSatisfiable:
                // No Cache-Control on 412/416: an explicit lifetime would make these errors storable, and a shared
                // cache keying on the URL alone could hand a 416 to the next plain GET.
                headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{file.Length}");
                response.ContentLength = 0;
                break;
            default:
                response.ContentLength = 0;
                break;
        }

        _options.OnPrepareResponse?.Invoke(new StaticAssetResponseContext(context, entry.Asset, representation.Coding, representation.PhysicalPath));
        StaticAssetServingLog.Served(_logger, request.Path.Value!, status, representation.Coding ?? "identity");
        if (isGet && status is (StatusCodes.Status200OK or StatusCodes.Status206PartialContent) && count > 0)
        {
            return SendAsync(context, entry, representation, start, count);
        }

        return Task.CompletedTask;
    }

    private static void WriteValidators(IHeaderDictionary headers, StaticAssetEntry entry, RepresentationFile file)
    {
        headers.ETag = file.EntityTagHeader;
        headers.CacheControl = entry.CacheControl;
        if (file.LastModified is not null)
        {
            headers.LastModified = file.LastModifiedHeader;
        }
    }

    /// <summary>
    /// Picks the representation by <c>Accept-Encoding</c> (see <see cref="ContentCodingNegotiator"/>). Without the header,
    /// identity: RFC 9110 would allow any coding, but a client that sends none (curl, scripts, old proxies) most likely
    /// cannot decode one, and every browser sends it. When nothing offered is acceptable, not even identity
    /// (<c>identity;q=0</c>, <c>*;q=0</c>), identity is sent rather than 406: §12.5.3 lets the server disregard the header,
    /// and the HTTP WG chose that over 406 on purpose (httpwg/http-core#980) — a page missing its CSS helps nobody.
    /// A variant whose file is missing is passed over for the next best.
    /// </summary>
    private bool TryChoose(StaticAssetEntry entry, StringValues acceptEncoding, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAssetRepresentation? representation, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RepresentationFile? file)
    {
        StaticAssetRepresentation[] representations = entry.Representations;
        if (representations.Length > 1 && acceptEncoding.Count > 0)
        {
            Span<int> qualities = stackalloc int[representations.Length];
            ContentCodingNegotiator.Rate(acceptEncoding, entry.Codings, qualities);
            while (true)
            {
                // qualities[0] is identity; qualities[i] is representations[i - 1]. Strictly greater wins, so at equal
                // quality the earlier (smaller) variant does, and identity only when it beats every variant.
                int best = -1;
                int bestQuality = 0;
                for (int i = 1; i < qualities.Length; i++)
                {
                    if (qualities[i] > bestQuality)
                    {
                        best = i;
                        bestQuality = qualities[i];
                    }
                }

                if (best < 0 || qualities[0] > bestQuality)
                {
                    break;
                }

                representation = representations[best - 1];
                file = representation.GetFile(_logger);
                if (file is not null)
                {
                    return true;
                }

                qualities[best] = 0;
            }
        }

        representation = entry.Identity;
        file = representation.GetFile(_logger);
        return file is not null;
    }

    /// <summary>RFC 9110 §13.2.2 steps 1–4 for GET and HEAD: 412, 304 or 200.</summary>
    private static int EvaluatePreconditions(IHeaderDictionary headers, RepresentationFile file)
    {
        StringValues ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!Http.EntityTagListMatches(ifMatch, file.EntityTag, weakComparison: false))
            {
                return StatusCodes.Status412PreconditionFailed;
            }
        }
        else if (file.LastModified is { } modified && TryGetDate(headers.IfUnmodifiedSince, out DateTimeOffset unmodifiedSince) && modified > unmodifiedSince)
        {
            return StatusCodes.Status412PreconditionFailed;
        }

        StringValues ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            // Weak comparison (§13.1.2): W/"x" matches "x"; If-Modified-Since is not looked at (§13.1.3).
            return Http.EntityTagListMatches(ifNoneMatch, file.EntityTag, weakComparison: true) ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;
        }

        if (file.LastModified is { } lastModified && TryGetDate(headers.IfModifiedSince, out DateTimeOffset modifiedSince) && lastModified <= modifiedSince)
        {
            return StatusCodes.Status304NotModified;
        }

        return StatusCodes.Status200OK;
    }

    /// <summary>
    /// §13.1.5: an entity tag must match strongly (a weak one never does); a date must equal Last-Modified exactly.
    /// Anything else, unreadable values included, means "send the whole representation".
    /// </summary>
    private static bool IfRangeHolds(StringValues ifRange, RepresentationFile file)
    {
        if (ifRange.Count == 0)
        {
            return true;
        }

        if (ifRange.Count > 1 || ifRange[0] is not { } value)
        {
            return false;
        }

        ReadOnlySpan<char> validator = Http.TrimOws(value);
        if (validator.StartsWith('"') || validator.StartsWith("W/", StringComparison.Ordinal))
        {
            return validator.SequenceEqual(file.EntityTag);
        }

        return file.LastModified is { } modified && HeaderUtilities.TryParseDate(value, out DateTimeOffset date) && date == modified;
    }

    /// <summary>An HTTP-date; a field with several lines or an invalid date is ignored, as §13.1.3/§13.1.4 require.</summary>
    private static bool TryGetDate(StringValues field, out DateTimeOffset date)
    {
        date = default;
        return field.Count == 1 && field[0] is { } value && HeaderUtilities.TryParseDate(value, out date);
    }

    private async Task SendAsync(HttpContext context, StaticAssetEntry entry, StaticAssetRepresentation representation, long offset, long count)
    {
        // IHttpResponseBodyFeature.SendFileAsync: the server's own file path (TransmitFile on IIS and HTTP.sys; on
        // Kestrel a pooled-buffer copy into the response pipe), with offset and count for ranges.
        try
        {
            await context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().SendFileAsync(representation.PhysicalPath, offset, count, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            StaticAssetServingLog.SendCancelled(_logger, context.Request.Path.Value!);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException && !context.Response.HasStarted)
        {
            // Deleted since it was stat'ed, with the manifest unchanged (files under a manifest should not change;
            // a deploy writes new names and a new manifest). Nothing is sent yet: forget the file and answer again,
            // which picks the next best representation or, with none left, passes the request on.
            StaticAssetServingLog.FileMissing(_logger, representation.PhysicalPath);
            representation.MarkMissing();
            context.Response.Clear();
            await ServeAsync(context, entry).ConfigureAwait(false);
        }
    }
}
