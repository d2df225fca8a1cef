using System.Globalization;
using System.Text;

namespace Wharf.Storage;

/// <summary>Turns user-supplied file names into safe object names (Django's <c>get_valid_name</c>).</summary>
public static class FileNames
{
    /// <summary>
    /// Sanitises a user's file name: Unicode-normalised (NFC), trimmed, spaces turned into <c>_</c>, and every
    /// character removed that is not a letter, digit, combining mark, <c>_</c>, <c>-</c> or <c>.</c>.
    /// <c>john's portrait in 2004.jpg</c> → <c>johns_portrait_in_2004.jpg</c>.
    /// </summary>
    /// <param name="fileName">The name as the user gave it.</param>
    /// <param name="storageName">The storage, for the error message.</param>
    /// <exception cref="InvalidObjectNameException">Nothing usable is left (empty, or only dots).</exception>
    public static string GetValidName(string fileName, string storageName = "")
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string text = RemoveUnpairedSurrogates(fileName.Trim());
        if (!text.IsNormalized(NormalizationForm.FormC))
        {
            text = text.Normalize(NormalizationForm.FormC);
        }

        var builder = new StringBuilder(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.Value == ' ')
            {
                builder.Append('_');
            }
            else if (rune.Value is '_' or '-' or '.' || Rune.IsLetterOrDigit(rune) || IsMark(rune))
            {
                builder.Append(rune.ToString());
            }
        }

        string result = builder.ToString();
        if (result.Length == 0 || !result.AsSpan().ContainsAnyExcept('.'))
        {
            throw new InvalidObjectNameException(storageName, fileName, "could not derive a file name from it.");
        }

        return result;
    }

    /// <summary>The last segment of a client-supplied path such as <c>C:\fakepath\photo.jpg</c> or <c>a/b/photo.jpg</c>.</summary>
    public static string GetClientFileName(string clientPath)
    {
        ArgumentNullException.ThrowIfNull(clientPath);
        int slash = clientPath.AsSpan().LastIndexOfAny('/', '\\');
        return slash < 0 ? clientPath : clientPath[(slash + 1)..];
    }

    /// <summary>Drops unpaired surrogates, which normalisation rejects and no file name can hold.</summary>
    private static string RemoveUnpairedSurrogates(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text, i, 2);
                i++;
            }
            else if (!char.IsSurrogate(text[i]))
            {
                builder.Append(text[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
