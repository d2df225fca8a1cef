using Microsoft.Extensions.Primitives;

namespace Wharf.StaticManifest.Serving;

/// <summary>What a <c>Range</c> header asks of a representation.</summary>
internal enum ByteRangeRequest
{
    /// <summary>No usable single range: send the whole representation with 200.</summary>
    Ignore,

    /// <summary>One satisfiable range: 206.</summary>
    Satisfiable,

    /// <summary>One invalid or unsatisfiable range: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>
/// A <c>Range</c> header per RFC 9110 §14, for one byte range. Multi-range requests are answered with the whole
/// representation (200), which §14.2 allows ("a server MAY ignore the Range header field"): multipart/byteranges has
/// almost no users for static assets (browsers resume and seek with one range), buys nothing over 200 when the parts
/// add up to most of the file, and overlapping or many small parts are a known amplification attack
/// (CVE-2011-3192). A header that does not parse is ignored the same way, as §14.2 also allows.
/// </summary>
internal static class ByteRangeParser
{
    /// <summary>Reads a <c>Range</c> header against a representation of <paramref name="length"/> bytes.</summary>
    /// <param name="range">The header's values.</param>
    /// <param name="length">The representation's size.</param>
    /// <param name="start">The first byte to send, when satisfiable.</param>
    /// <param name="count">How many bytes to send (at least 1), when satisfiable.</param>
    public static ByteRangeRequest Parse(StringValues range, long length, out long start, out long count)
    {
        start = 0;
        count = 0;
        if (range.Count != 1 || range[0] is not { } value)
        {
            return ByteRangeRequest.Ignore; // Two Range lines are a multi-range request at best.
        }

        ReadOnlySpan<char> field = Http.TrimOws(value);
        if (field.Length < 6 || !field[..6].Equals("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return ByteRangeRequest.Ignore; // Another range unit, or none: not ours to interpret.
        }

        ReadOnlySpan<char> set = field[6..];
        ReadOnlySpan<char> spec = default;
        int specs = 0;
        foreach (Range part in set.Split(','))
        {
            ReadOnlySpan<char> candidate = Http.TrimOws(set[part]);
            if (!candidate.IsEmpty)
            {
                spec = candidate;
                specs++; // The list syntax allows empty elements ("bytes=0-1,"); they are not ranges.
            }
        }

        if (specs != 1)
        {
            return ByteRangeRequest.Ignore;
        }

        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return ByteRangeRequest.Ignore;
        }

        if (dash == 0)
        {
            // suffix-range: the last N bytes; -0 asks for nothing and an empty file has no last bytes.
            if (!TryParseDigits(spec[1..], out long suffix, out bool suffixOverflow))
            {
                return ByteRangeRequest.Ignore;
            }

            if ((suffix == 0 && !suffixOverflow) || length == 0)
            {
                return ByteRangeRequest.Unsatisfiable;
            }

            start = suffixOverflow || suffix >= length ? 0 : length - suffix;
            count = length - start;
            return ByteRangeRequest.Satisfiable;
        }

        if (!TryParseDigits(spec[..dash], out long first, out bool firstOverflow))
        {
            return ByteRangeRequest.Ignore;
        }

        ReadOnlySpan<char> lastText = spec[(dash + 1)..];
        long last = long.MaxValue;
        if (!lastText.IsEmpty)
        {
            if (!TryParseDigits(lastText, out last, out bool lastOverflow))
            {
                return ByteRangeRequest.Ignore;
            }

            if (lastOverflow)
            {
                last = long.MaxValue; // A last-pos past any file is clamped like any other (§14.1.2).
            }

            if (!firstOverflow && last < first)
            {
                return ByteRangeRequest.Unsatisfiable; // Invalid (§14.1.1), and §14.2 says invalid gets 416 too.
            }
        }

        if (firstOverflow || first >= length)
        {
            return ByteRangeRequest.Unsatisfiable;
        }

        // Clamped to the end (§14.1.2); unlike whitenoise, first == last (bytes=0-0, any one byte) is one byte, not 416.
        long end = Math.Min(last, length - 1);
        start = first;
        count = end - first + 1;
        return ByteRangeRequest.Satisfiable;
    }

    /// <summary>1*DIGIT; a number past <see cref="long.MaxValue"/> still parses, flagged, since it is valid syntax.</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            if (!overflow)
            {
                if (value > (long.MaxValue - (c - '0')) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * 10) + (c - '0');
                }
            }
        }

        return true;
    }
}
