using System.Buffers;

namespace Wharf.StaticManifest.Rewriting;

/// <summary>Fills in the line and column of references found in offset order, in one pass over the text.</summary>
internal static class TextPositions
{
    private static readonly SearchValues<char> s_cssLineBreaks = SearchValues.Create("\n\r\f");
    private static readonly SearchValues<char> s_jsLineBreaks = SearchValues.Create("\n\r\u2028\u2029");

    /// <summary>Sets <see cref="AssetReference.Line"/> and <see cref="AssetReference.Column"/>; the list must be in offset order.</summary>
    public static List<AssetReference> Complete(string text, List<AssetReference> references, bool css)
    {
        SearchValues<char> breaks = css ? s_cssLineBreaks : s_jsLineBreaks;
        int line = 1;
        int scanned = 0;       // every line break before this offset is counted
        int counted = 0;       // the code points of the current line before this offset are counted...
        int columns = 0;       // ...and there are this many
        for (int i = 0; i < references.Count; i++)
        {
            AssetReference reference = references[i];
            int target = reference.Start;
            while (scanned < target)
            {
                int next = text.AsSpan(scanned, target - scanned).IndexOfAny(breaks);
                if (next < 0)
                {
                    scanned = target;
                    break;
                }

                int at = scanned + next;
                scanned = at + (text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? 2 : 1);
                line++;
                counted = scanned;
                columns = 0;
            }

            if (counted < target)
            {
                columns += CountCodePoints(text.AsSpan(counted, target - counted), counted > 0 && char.IsHighSurrogate(text[counted - 1]));
                counted = target;
            }

            references[i] = reference with { Line = line, Column = columns + 1 };
        }

        return references;
    }

    private static int CountCodePoints(ReadOnlySpan<char> span, bool afterHighSurrogate)
    {
        int count = span.Length;
        bool high = afterHighSurrogate;
        foreach (char c in span)
        {
            if (high && char.IsLowSurrogate(c))
            {
                count--;
            }

            high = char.IsHighSurrogate(c);
        }

        return count;
    }
}
