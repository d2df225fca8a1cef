namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// A shell-style pattern as Django's collectstatic uses for <c>--ignore</c> (Python's <c>fnmatchcase</c>): <c>*</c>
/// any run of characters, <c>?</c> one character, <c>[abc]</c>/<c>[a-z]</c>/<c>[!abc]</c> a set; case-sensitive;
/// <c>*</c> crosses <c>/</c>, as in fnmatch.
/// </summary>
public sealed class GlobPattern
{
    private readonly string _pattern;

    /// <summary>Creates the pattern.</summary>
    public GlobPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        _pattern = pattern;

        // The usual patterns (CVS, .*, *~, *.map) are a comparison, not a match: a finder tries every pattern on
        // every name and path of a tree.
        ReadOnlySpan<char> wildcards = ['*', '?', '['];
        int first = pattern.AsSpan().IndexOfAny(wildcards);
        if (first < 0)
        {
            _shape = Shape.Literal;
        }
        else if (first == pattern.Length - 1 && pattern[first] == '*')
        {
            _shape = Shape.Prefix;
            _fixed = pattern[..^1];
        }
        else if (first == 0 && pattern[0] == '*' && pattern.AsSpan(1).IndexOfAny(wildcards) < 0)
        {
            _shape = Shape.Suffix;
            _fixed = pattern[1..];
        }
    }

    private enum Shape
    {
        General,
        Literal,
        Prefix,
        Suffix,
    }

    private readonly Shape _shape;
    private readonly string _fixed = string.Empty;

    /// <summary>The pattern's text.</summary>
    public string Pattern => _pattern;

    /// <summary>Whether <paramref name="text"/> matches the whole pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> text) => _shape switch
    {
        Shape.Literal => text.SequenceEqual(_pattern),
        Shape.Prefix => text.StartsWith(_fixed, StringComparison.Ordinal),
        Shape.Suffix => text.EndsWith(_fixed, StringComparison.Ordinal),
        _ => Match(_pattern, 0, text, 0),
    };

    /// <inheritdoc/>
    public override string ToString() => _pattern;

    private static bool Match(string pattern, int p, ReadOnlySpan<char> text, int t)
    {
        // Iterative with one backtrack point for the last '*': linear for the usual patterns, no regex.
        int starPattern = -1;
        int starText = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    starPattern = p++;
                    starText = t;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    t++;
                    continue;
                }

                if (c == '[' && TryMatchSet(pattern, p, text[t], out int next, out bool matched))
                {
                    if (matched)
                    {
                        p = next;
                        t++;
                        continue;
                    }
                }
                else if (c == text[t])
                {
                    p++;
                    t++;
                    continue;
                }
            }

            if (starPattern < 0)
            {
                return false;
            }

            p = starPattern + 1;
            t = ++starText;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Matches a <c>[...]</c> set at <paramref name="start"/>; false when the bracket is not a set (then it is a literal '[').</summary>
    private static bool TryMatchSet(string pattern, int start, char c, out int next, out bool matched)
    {
        int i = start + 1;
        bool negate = i < pattern.Length && pattern[i] == '!';
        if (negate)
        {
            i++;
        }

        int first = i;
        bool found = false;
        while (i < pattern.Length && (pattern[i] != ']' || i == first))
        {
            char low = pattern[i];
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                found |= c >= low && c <= pattern[i + 2];
                i += 3;
            }
            else
            {
                found |= c == low;
                i++;
            }
        }

        if (i >= pattern.Length)
        {
            next = start;
            matched = false;
            return false;
        }

        next = i + 1;
        matched = found != negate;
        return true;
    }
}
