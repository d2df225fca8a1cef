using System.Text;

namespace Wharf.StaticManifest.Rewriting;

/// <summary>Text to put in place of a span of the source (usually a reference's URL text).</summary>
/// <param name="Start">The offset of the span, in UTF-16 code units.</param>
/// <param name="Length">The length of the span.</param>
/// <param name="Text">The replacement.</param>
public readonly record struct ReferenceReplacement(int Start, int Length, string Text)
{
    /// <summary>Replaces the URL text of <paramref name="reference"/> with <paramref name="text"/>.</summary>
    /// <param name="reference">The reference whose span is replaced.</param>
    /// <param name="text">The replacement, e.g. from <see cref="ReferenceResolver.FormatReplacement"/>.</param>
    public ReferenceReplacement(AssetReference reference, string text)
        : this(reference.Start, reference.Length, text)
    {
    }
}

/// <summary>Applies replacements to a text in one pass.</summary>
public static class ReferenceRewriter
{
    /// <summary>
    /// Returns <paramref name="text"/> with every span replaced. The replacements must be in offset order and must not
    /// overlap (the order <see cref="CssReferenceScanner.Scan"/> and <see cref="JsReferenceScanner.Scan"/> return).
    /// </summary>
    /// <param name="text">The original text.</param>
    /// <param name="replacements">The replacements, in order.</param>
    /// <returns>The rewritten text; <paramref name="text"/> itself when there is nothing to replace.</returns>
    /// <exception cref="ArgumentException">A span lies outside the text, or the spans are out of order or overlap.</exception>
    public static string Apply(string text, IEnumerable<ReferenceReplacement> replacements)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(replacements);
        StringBuilder? builder = null;
        int copied = 0;
        foreach (ReferenceReplacement replacement in replacements)
        {
            if (replacement.Start < copied || replacement.Length < 0 || replacement.Start > text.Length - replacement.Length)
            {
                throw new ArgumentException(
                    $"The replacement of [{replacement.Start}, +{replacement.Length}) is outside the text (length {text.Length}), out of order, or overlaps the previous one (which ended at {copied}).",
                    nameof(replacements));
            }

            ArgumentNullException.ThrowIfNull(replacement.Text, nameof(replacements));
            builder ??= new StringBuilder(text.Length + 256);
            builder.Append(text, copied, replacement.Start - copied).Append(replacement.Text);
            copied = replacement.Start + replacement.Length;
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }
}
