using System.Globalization;
using System.Text;

namespace Wharf.Storage;

/// <summary>
/// The object-name rules every storage enforces. A valid name is relative and <c>/</c>-separated (a <c>\</c> is read
/// as <c>/</c>), has no empty, <c>.</c> or <c>..</c> segment, no control, direction-control or unpaired surrogate
/// character, and fits the backend's length limits in UTF-8 bytes.
/// </summary>
/// <remarks>
/// Checking a valid name allocates nothing; normalising allocates only when the name holds a <c>\</c>. Because no
/// segment can be <c>..</c> and no name can be rooted, a valid name never leaves the storage's root or prefix by
/// itself; backends with symbolic links check containment too.
/// </remarks>
public static class ObjectName
{
    /// <summary>The separator of name segments.</summary>
    public const char Separator = '/';

    /// <summary>
    /// Checks <paramref name="name"/> against the rules and returns it normalised (<c>\</c> read as <c>/</c>); the
    /// same string instance when nothing needed normalising.
    /// </summary>
    /// <param name="storageName">The storage, for the error message.</param>
    /// <param name="name">The name to check.</param>
    /// <param name="maxNameBytes">The longest name in UTF-8 bytes.</param>
    /// <param name="maxSegmentBytes">The longest segment in UTF-8 bytes.</param>
    /// <exception cref="InvalidObjectNameException">The name breaks a rule; the message quotes it and says which.</exception>
    public static string Validate(string storageName, string name, int maxNameBytes = 1024, int maxSegmentBytes = 1024)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = GetProblem(name, maxNameBytes, maxSegmentBytes);
        if (problem is not null)
        {
            throw new InvalidObjectNameException(storageName, name, problem);
        }

        return name.Contains('\\', StringComparison.Ordinal) ? name.Replace('\\', Separator) : name;
    }

    /// <summary>Tells whether <paramref name="name"/> keeps the rules. Allocates nothing.</summary>
    public static bool IsValid(ReadOnlySpan<char> name, int maxNameBytes = 1024, int maxSegmentBytes = 1024) =>
        GetProblem(name, maxNameBytes, maxSegmentBytes) is null;

    /// <summary>
    /// Returns why <paramref name="name"/> breaks the rules, or <see langword="null"/> when it keeps them.
    /// Allocates only to describe a problem.
    /// </summary>
    public static string? GetProblem(ReadOnlySpan<char> name, int maxNameBytes = 1024, int maxSegmentBytes = 1024)
    {
        if (name.IsEmpty)
        {
            return "the name is empty.";
        }

        if (name[0] is '/' or '\\')
        {
            return name.Length > 1 && name[1] is '/' or '\\'
                ? "the name is a UNC or network path; object names are relative to the storage."
                : "the name is absolute (it starts with a separator); object names are relative to the storage.";
        }

        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            return "the name starts with a drive letter; object names are relative to the storage.";
        }

        int totalBytes = 0;
        int segmentStart = 0;
        int segmentBytes = 0;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is '/' or '\\')
            {
                string? segmentProblem = CheckSegment(name[segmentStart..i], segmentBytes, maxSegmentBytes, last: false);
                if (segmentProblem is not null)
                {
                    return segmentProblem;
                }

                totalBytes++;
                segmentStart = i + 1;
                segmentBytes = 0;
                continue;
            }

            int bytes;
            if (c < 0x80)
            {
                if (c < 0x20 || c == 0x7F)
                {
                    return c == 0
                        ? "the name contains a NUL character."
                        : $"the name contains the control character U+{(int)c:X4}.";
                }

                bytes = 1;
            }
            else if (c < 0x800)
            {
                if (c <= 0x9F)
                {
                    return $"the name contains the control character U+{(int)c:X4}.";
                }

                if (c == '\u061C')
                {
                    return $"the name contains the direction-control character U+{(int)c:X4}, which can disguise a name.";
                }

                bytes = 2;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    return $"the name contains an unpaired UTF-16 surrogate (U+{(int)c:X4}), which has no UTF-8 form.";
                }

                i++;
                bytes = 4;
            }
            else if (char.IsLowSurrogate(c))
            {
                return $"the name contains an unpaired UTF-16 surrogate (U+{(int)c:X4}), which has no UTF-8 form.";
            }
            else
            {
                if (c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F')
                {
                    return $"the name contains the direction-control character U+{(int)c:X4}, which can disguise a name.";
                }

                if (c is '\uFFFE' or '\uFFFF')
                {
                    return $"the name contains the noncharacter U+{(int)c:X4}.";
                }

                bytes = 3;
            }

            totalBytes += bytes;
            segmentBytes += bytes;
        }

        string? lastProblem = CheckSegment(name[segmentStart..], segmentBytes, maxSegmentBytes, last: true);
        if (lastProblem is not null)
        {
            return lastProblem;
        }

        if (totalBytes > maxNameBytes)
        {
            return $"the name is {totalBytes} bytes long in UTF-8; this storage allows at most {maxNameBytes}.";
        }

        return null;
    }

    private static string? CheckSegment(ReadOnlySpan<char> segment, int segmentBytes, int maxSegmentBytes, bool last)
    {
        if (segment.IsEmpty)
        {
            return last
                ? "the name ends with a separator, so it has no file name."
                : "the name has an empty segment ('//').";
        }

        if (segment.Length == 1 && segment[0] == '.')
        {
            return last ? "the file name is '.'." : "the name has a '.' segment.";
        }

        if (segment.Length == 2 && segment[0] == '.' && segment[1] == '.')
        {
            return "the name has a '..' segment (path traversal).";
        }

        if (!segment.ContainsAnyExcept('.'))
        {
            return "the name has a segment made only of dots.";
        }

        if (segmentBytes > maxSegmentBytes)
        {
            return $"a segment of the name is {segmentBytes} bytes long in UTF-8; this storage allows at most {maxSegmentBytes} per segment.";
        }

        return null;
    }

    /// <summary>The number of UTF-8 bytes of a name.</summary>
    public static int GetByteCount(ReadOnlySpan<char> name) => Encoding.UTF8.GetByteCount(name);

    /// <summary>Splits a name into its folder (with the trailing <c>/</c>, or empty) and its file name.</summary>
    public static (string Folder, string FileName) Split(string name)
    {
        int slash = name.LastIndexOf(Separator);
        return slash < 0 ? (string.Empty, name) : (name[..(slash + 1)], name[(slash + 1)..]);
    }

    /// <summary>
    /// A form of <paramref name="name"/> that is safe to put in a message or log: control and invisible characters
    /// escaped as <c>\uXXXX</c>, very long names cut with their length noted.
    /// </summary>
    public static string Quote(string name)
    {
        const int MaxShown = 256;
        bool clean = name.Length <= MaxShown;
        for (int i = 0; clean && i < name.Length; i++)
        {
            clean = !NeedsEscape(name, i);
        }

        if (clean)
        {
            return name;
        }

        var builder = new StringBuilder(Math.Min(name.Length, MaxShown) + 16);
        for (int i = 0; i < name.Length && i < MaxShown; i++)
        {
            char c = name[i];
            if (NeedsEscape(name, i))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (name.Length > MaxShown)
        {
            builder.Append(CultureInfo.InvariantCulture, $"… ({name.Length} characters)");
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text, int index)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c))
        {
            return index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return index == 0 || !char.IsHighSurrogate(text[index - 1]);
        }

        return NeedsEscape(c);
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is (>= '\u007F' and <= '\u009F')
        || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C' or '\uFFFE' or '\uFFFF';
}
