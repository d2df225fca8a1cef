using Microsoft.Extensions.Primitives;

namespace Wharf.StaticManifest.Serving;

/// <summary>
/// <c>Accept-Encoding</c> per RFC 9110 §12.5.3: q-values honoured (<c>q=0</c> is a refusal, unlike whitenoise's substring
/// match), <c>*</c> for codings not listed, <c>identity</c> acceptable unless refused, tokens case-insensitive, OWS
/// anywhere the grammar allows it, <c>x-gzip</c> as <c>gzip</c> (§8.4.1.3).
/// </summary>
internal static class ContentCodingNegotiator
{
    /// <summary>
    /// Qualities are thousandths doubled so that 1 sits between q=0 and q=0.001: the rank of identity when the header
    /// neither lists nor refuses it — acceptable, but below every coding the client asked for (as nginx and browsers
    /// expect: <c>gzip;q=0.5</c> alone still means "send gzip").
    /// </summary>
    internal const int ImplicitIdentity = 1;

    private const int Unset = -1;

    /// <summary>
    /// Rates each coding against the header. <paramref name="codings"/>[0] is identity (<see langword="null"/>); the
    /// others are content-coding names. Without the header every rating is 0 but identity's.
    /// </summary>
    /// <param name="header">The request's <c>Accept-Encoding</c> values (several lines are one list).</param>
    /// <param name="codings">The available codings, identity first.</param>
    /// <param name="qualities">Receives each coding's rating, as <see cref="ImplicitIdentity"/> explains; 0 = not acceptable.</param>
    public static void Rate(StringValues header, ReadOnlySpan<string?> codings, Span<int> qualities)
    {
        qualities.Fill(Unset);
        int wildcard = Unset;
        foreach (string? value in header)
        {
            if (value is not null)
            {
                RateField(value, codings, qualities, ref wildcard);
            }
        }

        for (int i = 0; i < qualities.Length; i++)
        {
            if (qualities[i] == Unset)
            {
                qualities[i] = wildcard != Unset ? wildcard : i == 0 ? ImplicitIdentity : 0;
            }
        }
    }

    private static void RateField(ReadOnlySpan<char> field, ReadOnlySpan<string?> codings, Span<int> qualities, ref int wildcard)
    {
        // The grammar allows no quoted strings here (only a q parameter), so a comma always ends an element.
        foreach (Range elementRange in field.Split(','))
        {
            ReadOnlySpan<char> element = field[elementRange];
            int semicolon = element.IndexOf(';');
            ReadOnlySpan<char> token = Http.TrimOws(semicolon < 0 ? element : element[..semicolon]);
            if (token.IsEmpty || !Http.IsToken(token))
            {
                continue; // An empty list element is allowed; a non-token is not a coding: skip either.
            }

            int quality = 2000;
            if (semicolon >= 0 && !TryReadWeight(element[(semicolon + 1)..], ref quality))
            {
                continue; // An unreadable weight: ignore the element rather than guess its meaning.
            }

            if (token is "*")
            {
                if (wildcard == Unset)
                {
                    wildcard = quality;
                }

                continue;
            }

            if (token.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                if (qualities[0] == Unset)
                {
                    qualities[0] = quality;
                }

                continue;
            }

            if (token.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                token = "gzip";
            }

            for (int i = 1; i < codings.Length; i++)
            {
                // The first mention of a coding counts; repeating one is meaningless and the RFC gives no rule.
                if (qualities[i] == Unset && token.Equals(codings[i], StringComparison.OrdinalIgnoreCase))
                {
                    qualities[i] = quality;
                }
            }
        }
    }

    private static bool TryReadWeight(ReadOnlySpan<char> parameters, ref int quality)
    {
        foreach (Range parameterRange in parameters.Split(';'))
        {
            ReadOnlySpan<char> parameter = Http.TrimOws(parameters[parameterRange]);
            int equals = parameter.IndexOf('=');
            if (equals < 0)
            {
                return false;
            }

            if (Http.TrimOws(parameter[..equals]).Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseQValue(Http.TrimOws(parameter[(equals + 1)..]), out int thousandths))
                {
                    return false;
                }

                quality = thousandths * 2;
            }
        }

        return true;
    }

    /// <summary>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.</summary>
    internal static bool TryParseQValue(ReadOnlySpan<char> text, out int thousandths)
    {
        thousandths = 0;
        if (text.IsEmpty || text.Length > 5 || text[0] is not ('0' or '1'))
        {
            return false;
        }

        bool one = text[0] == '1';
        if (text.Length > 1)
        {
            if (text[1] != '.')
            {
                return false;
            }

            int scale = 100;
            foreach (char c in text[2..])
            {
                if (c is < '0' or > '9' || (one && c != '0'))
                {
                    return false;
                }

                thousandths += (c - '0') * scale;
                scale /= 10;
            }
        }

        if (one)
        {
            thousandths = 1000;
        }

        return true;
    }
}
