using System.Text;

namespace Wharf.StaticManifest.Rewriting;

/// <summary>What <see cref="ReferenceResolver.TryResolve"/> decided about a URL.</summary>
public enum ReferenceOutcome
{
    /// <summary>The URL names a file of the static tree: <see cref="ResolvedReference.TargetPath"/> is its logical path.</summary>
    Resolved,

    /// <summary>The URL is empty. Left alone.</summary>
    Empty,

    /// <summary>The URL has no path, only a fragment (<c>#x</c>) or a query (<c>?x</c>): the document itself. Left alone.</summary>
    SameDocument,

    /// <summary>
    /// The URL has a scheme (<c>https:</c>, <c>data:</c>, <c>HTTP:</c>, <c>chrome-extension:</c>, …) or is protocol-relative
    /// (<c>//cdn.example/x</c>). Left alone.
    /// </summary>
    External,

    /// <summary>An absolute path that does not start with the static URL prefix (a dynamic URL). Left alone.</summary>
    OutsidePrefix,

    /// <summary>A relative path whose <c>..</c> segments climb above the root of the static tree. Left alone; worth reporting.</summary>
    AboveRoot,

    /// <summary>
    /// The path cannot name a file: it ends with <c>/</c>, <c>.</c> or <c>..</c>, or a segment decodes to a <c>/</c>,
    /// <c>\</c> or control character. Left alone; worth reporting.
    /// </summary>
    Invalid,
}

/// <summary>The result of <see cref="ReferenceResolver.TryResolve"/>.</summary>
/// <param name="Outcome">What was decided; only <see cref="ReferenceOutcome.Resolved"/> is to be rewritten.</param>
/// <param name="TargetPath">
/// The logical path of the file the URL names, percent-decoded and normalised (<c>img/a b.png</c>); <see langword="null"/>
/// unless <see cref="Outcome"/> is <see cref="ReferenceOutcome.Resolved"/>.
/// </param>
/// <param name="UrlPath">The URL's path as written, without query and fragment (<c>../img/a%20b.png</c>).</param>
/// <param name="Query">The query without its <c>?</c> (empty for <c>a.eot?#iefix</c>), or <see langword="null"/> when there is no <c>?</c>.</param>
/// <param name="Fragment">The fragment without its <c>#</c>, or <see langword="null"/> when there is no <c>#</c>.</param>
public readonly record struct ResolvedReference(ReferenceOutcome Outcome, string? TargetPath, string UrlPath, string? Query, string? Fragment);

/// <summary>
/// Decides what a URL found in a static file refers to, and writes the URL of its fingerprinted version in the reference's
/// own form.
/// </summary>
public static class ReferenceResolver
{
    /// <summary>
    /// Resolves <paramref name="url"/>, found in the static file <paramref name="sourcePath"/>, to the logical path of the
    /// file it names. Left alone: empty URLs, fragment- or query-only URLs, URLs with a scheme (any case, RFC 3986 scheme
    /// characters), protocol-relative URLs, absolute paths outside <paramref name="staticUrlPrefix"/>, and paths that climb
    /// above the root or cannot name a file.
    /// </summary>
    /// <param name="sourcePath">The logical path of the file holding the reference (<c>css/site.css</c>).</param>
    /// <param name="url">The URL as found (<see cref="AssetReference.Url"/>): language escapes resolved, percent-escapes kept.</param>
    /// <param name="staticUrlPrefix">The URL path the static tree is served under, ending with <c>/</c> (<c>/static/</c>).</param>
    /// <param name="resolved">The outcome, and the URL's parts (always set, so a caller can report what was left alone).</param>
    /// <returns>Whether the URL names a file of the static tree, i.e. <see cref="ReferenceOutcome.Resolved"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="staticUrlPrefix"/> is empty or does not end with <c>/</c>.</exception>
    /// <remarks>
    /// A path without a leading <c>/</c> is relative to the folder of <paramref name="sourcePath"/>, whatever the
    /// reference's kind: that is where a browser resolves a CSS <c>url(a.png)</c> (against the style sheet's URL) and a
    /// <c>new URL('a.png', import.meta.url)</c> (against the module's URL), and the fingerprinted file stays in the same
    /// folder. Which URLs are references at all is the scanners' call: a bare JavaScript import specifier
    /// (<c>import 'react'</c>, <c>import.meta.resolve('react')</c>) names a package, not a file, so
    /// <see cref="JsReferenceScanner"/> does not report it, whereas
    /// a bare <c>new URL('a.wasm', import.meta.url)</c> is relative and is reported.
    /// </remarks>
    public static bool TryResolve(string sourcePath, string url, string staticUrlPrefix, out ResolvedReference resolved)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(staticUrlPrefix);
        if (!staticUrlPrefix.EndsWith('/'))
        {
            throw new ArgumentException($"The static URL prefix '{staticUrlPrefix}' must end with '/'.", nameof(staticUrlPrefix));
        }

        int fragmentStart = url.IndexOf('#', StringComparison.Ordinal);
        int pathAndQueryEnd = fragmentStart < 0 ? url.Length : fragmentStart;
        int queryStart = url.AsSpan(0, pathAndQueryEnd).IndexOf('?');
        int pathEnd = queryStart < 0 ? pathAndQueryEnd : queryStart;
        string urlPath = url[..pathEnd];
        string? query = queryStart < 0 ? null : url[(queryStart + 1)..pathAndQueryEnd];
        string? fragment = fragmentStart < 0 ? null : url[(fragmentStart + 1)..];

        ReferenceOutcome outcome = Classify(url, urlPath, staticUrlPrefix);
        string? target = null;
        if (outcome == ReferenceOutcome.Resolved)
        {
            bool absolute = urlPath[0] == '/';
            ReadOnlySpan<char> relative = absolute ? urlPath.AsSpan(staticUrlPrefix.Length) : urlPath;
            ReadOnlySpan<char> baseFolder = absolute ? default : FolderOf(sourcePath.AsSpan().TrimStart('/'));
            outcome = Normalise(baseFolder, relative, out target);
        }

        resolved = new ResolvedReference(outcome, target, urlPath, query, fragment);
        return outcome == ReferenceOutcome.Resolved;
    }

    /// <summary>
    /// Writes the text that replaces a reference's span (<see cref="AssetReference.Start"/>, <see cref="AssetReference.Length"/>):
    /// the URL in its original form (relative stays relative, the directory part as written) with only the file name
    /// replaced by the fingerprinted one, the query and fragment kept exactly (<c>?#iefix</c> included), escaped for the
    /// reference's context. An unquoted <c>url()</c> stays unquoted when the new URL is safe there and becomes
    /// <c>"…"</c> otherwise.
    /// </summary>
    /// <param name="reference">The reference, for its kind and quote.</param>
    /// <param name="resolved">Its resolution; must be <see cref="ReferenceOutcome.Resolved"/>.</param>
    /// <param name="hashedPath">
    /// The fingerprinted path of the target (<c>img/logo.0123456789ab.png</c>) or just its file name; only the file name is
    /// used, percent-encoded where a URL needs it.
    /// </param>
    /// <returns>The replacement text.</returns>
    /// <exception cref="ArgumentException">
    /// The reference is not resolved, its <see cref="AssetReference.Kind"/> is not a defined value, or
    /// <paramref name="hashedPath"/> has no file name.
    /// </exception>
    public static string FormatReplacement(AssetReference reference, ResolvedReference resolved, string hashedPath)
    {
        ArgumentNullException.ThrowIfNull(hashedPath);
        if (resolved.Outcome != ReferenceOutcome.Resolved)
        {
            throw new ArgumentException($"Only a resolved reference can be rewritten; this one is {resolved.Outcome}.", nameof(resolved));
        }

        string fileName = hashedPath[(hashedPath.LastIndexOf('/') + 1)..];
        if (fileName.Length == 0 || fileName is "." or "..")
        {
            throw new ArgumentException($"The fingerprinted path '{hashedPath}' has no file name.", nameof(hashedPath));
        }

        var url = new StringBuilder(resolved.UrlPath.Length + fileName.Length + 16);
        url.Append(resolved.UrlPath, 0, resolved.UrlPath.LastIndexOf('/') + 1);
        AppendPercentEncoded(url, fileName, sourceMap: reference.Kind is AssetReferenceKind.CssSourceMappingUrl or AssetReferenceKind.JsSourceMappingUrl);
        if (resolved.Query is not null)
        {
            url.Append('?').Append(resolved.Query);
        }

        if (resolved.Fragment is not null)
        {
            url.Append('#').Append(resolved.Fragment);
        }

        return EscapeForContext(reference, url.ToString());
    }

    private static ReferenceOutcome Classify(string url, string urlPath, string prefix)
    {
        if (url.Length == 0)
        {
            return ReferenceOutcome.Empty;
        }

        if (HasScheme(url) || (url.Length >= 2 && url[0] is '/' or '\\' && url[1] is '/' or '\\'))
        {
            return ReferenceOutcome.External;
        }

        if (urlPath.Length == 0)
        {
            return ReferenceOutcome.SameDocument;
        }

        if (urlPath[0] == '/' && !urlPath.StartsWith(prefix, StringComparison.Ordinal))
        {
            return ReferenceOutcome.OutsidePrefix;
        }

        return ReferenceOutcome.Resolved;
    }

    /// <summary>RFC 3986: <c>ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"</c>, any case.</summary>
    private static bool HasScheme(string url)
    {
        if (url.Length < 2 || !char.IsAsciiLetter(url[0]))
        {
            return false;
        }

        for (int i = 1; i < url.Length; i++)
        {
            char c = url[i];
            if (c == ':')
            {
                return true;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> FolderOf(ReadOnlySpan<char> path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? default : path[..slash];
    }

    private static ReferenceOutcome Normalise(ReadOnlySpan<char> baseFolder, ReadOnlySpan<char> relative, out string? target)
    {
        target = null;
        var segments = new List<string>();
        foreach (Range range in baseFolder.Split('/'))
        {
            ReadOnlySpan<char> segment = baseFolder[range];
            if (segment.Length > 0 && segment is not ".")
            {
                segments.Add(segment.ToString());
            }
        }

        bool lastIsFile = false;
        foreach (Range range in relative.Split('/'))
        {
            ReadOnlySpan<char> raw = relative[range];
            string segment = raw.Contains('%') ? Uri.UnescapeDataString(raw.ToString()) : raw.ToString();
            if (segment.AsSpan().IndexOfAny('/', '\\') >= 0 || segment.AsSpan().ContainsAnyInRange('\0', '\u001F'))
            {
                return ReferenceOutcome.Invalid;
            }

            lastIsFile = false;
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return ReferenceOutcome.AboveRoot;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
            lastIsFile = true;
        }

        if (!lastIsFile)
        {
            return ReferenceOutcome.Invalid;
        }

        target = string.Join('/', segments);
        return ReferenceOutcome.Resolved;
    }

    /// <summary>Percent-encodes what may not stand in a URL path segment; non-ASCII letters stay as they are.</summary>
    private static void AppendPercentEncoded(StringBuilder builder, string segment, bool sourceMap)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            bool keep = char.IsAsciiLetterOrDigit(c)
                || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '+' or ',' or ';' or '=' or ':' or '@'
                || (c == '*' && !sourceMap)
                || (c > '\u009F' && !char.IsSurrogate(c) && !char.IsWhiteSpace(c) && c != '\uFEFF')
                || (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]));
            if (keep)
            {
                builder.Append(c);
                if (char.IsHighSurrogate(c))
                {
                    builder.Append(segment[++i]);
                }

                continue;
            }

            Rune rune = Rune.TryCreate(c, out Rune r) ? r : Rune.ReplacementChar;
            int written = rune.EncodeToUtf8(utf8);
            for (int b = 0; b < written; b++)
            {
                builder.Append('%').Append(HexUpper(utf8[b] >> 4)).Append(HexUpper(utf8[b] & 0xF));
            }
        }
    }

    private static char HexUpper(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static string EscapeForContext(AssetReference reference, string url)
    {
        switch (reference.Kind)
        {
            case AssetReferenceKind.CssSourceMappingUrl or AssetReferenceKind.JsSourceMappingUrl:
                return url; // the directory, query and fragment came from the comment; the file name is percent-encoded
            case AssetReferenceKind.CssUrl or AssetReferenceKind.CssImportString or AssetReferenceKind.CssImageSetString:
                if (reference.Quote == '\0')
                {
                    if (IsSafeUnquotedCssUrl(url))
                    {
                        return url;
                    }

                    return "\"" + EscapeCssString(url, '"') + "\"";
                }

                return EscapeCssString(url, reference.Quote);
            case AssetReferenceKind.JsImport or AssetReferenceKind.JsExport or AssetReferenceKind.JsDynamicImport or AssetReferenceKind.JsNewUrl
                or AssetReferenceKind.JsImportMetaResolve:
                return EscapeJsString(url, reference.Quote);
            default:
                // A kind this version does not know would be escaped for the wrong language: refuse rather than corrupt.
                throw new ArgumentException($"Unknown reference kind {reference.Kind}.", nameof(reference));
        }
    }

    private static bool IsSafeUnquotedCssUrl(string url)
    {
        foreach (char c in url)
        {
            if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '"' or '\'' or '(' or ')' or '\\' or '\0'
                || c <= '\u001F' || c == '\u007F')
            {
                return false;
            }
        }

        return true;
    }

    private static string EscapeCssString(string value, char quote)
    {
        if (value.AsSpan().IndexOfAny(quote, '\\') < 0 && !value.AsSpan().ContainsAnyInRange('\0', '\u001F') && !value.Contains('\u007F', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            if (c == quote || c == '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c <= '\u001F' || c == '\u007F')
            {
                // A hex escape, ended by a space so a following hex digit is not taken into it.
                builder.Append('\\').Append(((int)(c == '\0' ? '\uFFFD' : c)).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string EscapeJsString(string value, char quote)
    {
        var builder = new StringBuilder(value.Length + 8);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\u2028':
                    builder.Append(@"\u2028");
                    break;
                case '\u2029':
                    builder.Append(@"\u2029");
                    break;
                case '$' when quote == '`' && i + 1 < value.Length && value[i + 1] == '{':
                    builder.Append(@"\$");
                    break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\');
                    }

                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
