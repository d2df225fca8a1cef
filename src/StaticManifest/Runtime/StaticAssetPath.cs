using System.Text;

namespace Wharf.StaticManifest.Runtime;

/// <summary>How a requested path becomes a manifest key, shared by the resolver and the reference check so both agree.</summary>
internal static class StaticAssetPath
{
    /// <summary>
    /// Splits <c>/css/site.css?v=1#x</c> into the manifest key <c>css/site.css</c> and the suffix <c>?v=1#x</c>.
    /// </summary>
    /// <remarks>
    /// Only cheap, unambiguous normalization: one leading <c>/</c> is dropped (Django's leading-slash names, #26329,
    /// fail only in production; here they work everywhere) and a query or fragment is set aside. Nothing else —
    /// no case folding, no <c>./</c> or <c>..</c> collapsing, no backslashes — because any of those would make two
    /// spellings of one asset look equal to the lookup but not to the check, the CDN or the browser.
    /// </remarks>
    public static ReadOnlySpan<char> Split(ReadOnlySpan<char> requested, out ReadOnlySpan<char> suffix)
    {
        int cut = requested.IndexOfAny('?', '#');
        if (cut >= 0)
        {
            suffix = requested[cut..];
            requested = requested[..cut];
        }
        else
        {
            suffix = default;
        }

        if (!requested.IsEmpty && requested[0] == '/')
        {
            requested = requested[1..];
        }

        return requested;
    }

    /// <summary>Percent-encodes each segment of a stored path for a URL (like Django's <c>quote(name)</c>; <c>/</c> kept).</summary>
    public static string EscapeForUrl(string storedPath)
    {
        // Fast path: the usual collected name needs no escaping, so the manifest's own string is reused.
        if (!NeedsEscaping(storedPath))
        {
            return storedPath;
        }

        var builder = new StringBuilder(storedPath.Length + 16);
        foreach (Range range in storedPath.AsSpan().Split('/'))
        {
            if (builder.Length > 0 || range.Start.Value > 0)
            {
                builder.Append('/');
            }

            builder.Append(Uri.EscapeDataString(storedPath[range]));
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(string path)
    {
        foreach (char c in path)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~'))
            {
                return true;
            }
        }

        return false;
    }
}
