using System.Text;
using Microsoft.Extensions.Primitives;

namespace Wharf.StaticManifest.Serving;

/// <summary>The bits of RFC 9110 field syntax the middleware parses by hand, allocation-free.</summary>
internal static class Http
{
    /// <summary>Trims optional whitespace (SP / HTAB), which is all OWS is.</summary>
    public static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> value) => value.Trim(" \t");

    /// <summary>Whether every character is a tchar (RFC 9110 §5.6.2).</summary>
    public static bool IsToken(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return !value.IsEmpty;
    }

    /// <summary>
    /// Appends a request's query string (<c>?…</c>, as received) to a redirect's location. A response header must be
    /// visible ASCII, and Kestrel throws on anything else, so what a server or a test host let through in the query
    /// (UTF-8 text, spaces, control characters) is percent-encoded as UTF-8, as is <c>#</c>, which would start a
    /// fragment: the Location stays valid and a CR or LF can never split the header. The common case, a plain ASCII
    /// query or none, is a single concatenation.
    /// </summary>
    public static string AppendQuery(string location, string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return location;
        }

        if (query.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0 && !query.Contains('#', StringComparison.Ordinal))
        {
            return string.Concat(location, query);
        }

        var builder = new StringBuilder(location, location.Length + (query.Length * 3));
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in query.EnumerateRunes())
        {
            // A lone surrogate comes out as U+FFFD: still valid UTF-8, and percent-encoded like the rest.
            if (rune.Value is >= '!' and <= '~' && rune.Value != '#')
            {
                builder.Append((char)rune.Value);
                continue;
            }

            int length = rune.EncodeToUtf8(utf8);
            foreach (byte b in utf8[..length])
            {
                builder.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>
    /// Whether an entity-tag list (<c>If-Match</c>, <c>If-None-Match</c>) names <paramref name="etag"/> or is <c>*</c>.
    /// Weak comparison (If-None-Match) ignores <c>W/</c>; strong comparison (If-Match) needs both tags strong, and
    /// ours always are, so a <c>W/</c> entry never matches it (RFC 9110 §8.8.3.2). Opaque tags may hold commas, so the
    /// list is read tag by tag, not split on commas; an element that is not an entity-tag is skipped.
    /// </summary>
    /// <param name="field">The field's values; several lines are one list.</param>
    /// <param name="etag">Our strong tag, quotes included.</param>
    /// <param name="weakComparison">Weak comparison (If-None-Match) or strong (If-Match).</param>
    public static bool EntityTagListMatches(StringValues field, string etag, bool weakComparison)
    {
        foreach (string? value in field)
        {
            if (value is not null && EntityTagListMatches(value.AsSpan(), etag, weakComparison))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EntityTagListMatches(ReadOnlySpan<char> list, string etag, bool weakComparison)
    {
        int i = 0;
        while (i < list.Length)
        {
            char c = list[i];
            if (c is ' ' or '\t' or ',')
            {
                i++;
                continue;
            }

            if (c == '*')
            {
                return true; // "*": any current representation, and the asset has one.
            }

            bool weak = false;
            if (c == 'W' && i + 1 < list.Length && list[i + 1] == '/')
            {
                weak = true;
                i += 2;
            }

            if (i < list.Length && list[i] == '"')
            {
                int close = list[(i + 1)..].IndexOf('"');
                if (close < 0)
                {
                    return false; // An unterminated tag ends the list.
                }

                ReadOnlySpan<char> tag = list.Slice(i, close + 2);
                if ((weakComparison || !weak) && tag.SequenceEqual(etag))
                {
                    return true;
                }

                i += close + 2;
            }

            // Whatever follows a tag (or stands where one should) up to the next comma is not part of it.
            int comma = list[i..].IndexOf(',');
            if (comma < 0)
            {
                break;
            }

            i += comma + 1;
        }

        return false;
    }
}
