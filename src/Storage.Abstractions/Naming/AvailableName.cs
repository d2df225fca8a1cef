using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Storage;

/// <summary>
/// Django's available-name rule, made deterministic about extensions: a taken name gets <c>_</c> and seven random
/// alphanumerics before its extension (<c>my.report.v2.pdf</c> → <c>my.report.v2_AbC12x9.pdf</c>), and the stem is
/// shortened when the result would be too long.
/// </summary>
/// <remarks>
/// Only the last extension counts, except known compound ones such as <c>.tar.gz</c>. This type only makes
/// candidates; <see cref="StorageBase"/> claims them atomically, one at a time, so no check-then-write race exists.
/// </remarks>
public static class AvailableName
{
    /// <summary>How many random characters an alternative name gets.</summary>
    public const int SuffixLength = 7;

    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Compression suffixes that form one extension with the suffix before them when that one names a format.
    private static readonly FrozenSet<string> CompressionExtensions = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, ".gz", ".bz2", ".xz", ".zst", ".lz", ".lz4", ".lzma", ".z", ".br", ".sz");

    private static readonly FrozenSet<string> CompoundInnerExtensions = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, ".tar", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".txt", ".log", ".sql",
        ".xml", ".svg", ".nii", ".warc", ".pcap", ".ps", ".eps", ".cpio", ".iso", ".img");

    /// <summary>
    /// Splits a file name into stem and extension: the last extension, or a known compound one
    /// (<c>archive.tar.gz</c> → <c>archive</c> + <c>.tar.gz</c>). A leading dot is not an extension (<c>.env</c>).
    /// </summary>
    public static (string Stem, string Extension) SplitExtension(string fileName)
    {
        int last = fileName.LastIndexOf('.');
        if (last <= 0 || last == fileName.Length - 1)
        {
            return (fileName, string.Empty);
        }

        string extension = fileName[last..];
        if (CompressionExtensions.Contains(extension))
        {
            int previous = fileName.LastIndexOf('.', last - 1);
            if (previous > 0 && CompoundInnerExtensions.Contains(fileName[previous..last]))
            {
                return (fileName[..previous], fileName[previous..]);
            }
        }

        return (fileName[..last], extension);
    }

    /// <summary>Seven random alphanumerics from a cryptographic generator.</summary>
    public static string CreateSuffix() => RandomNumberGenerator.GetString(Alphanumerics, SuffixLength);

    /// <summary>
    /// The next candidate for a taken <paramref name="name"/>: <c>{folder}{stem}_{random}{extension}</c>, or with
    /// <paramref name="addSuffix"/> off the name itself, in both cases with the stem shortened to keep the limits.
    /// </summary>
    /// <param name="storageName">The storage, for the error message.</param>
    /// <param name="name">A valid, normalised name.</param>
    /// <param name="addSuffix">Add the random suffix (off only to shorten a name that may be overwritten).</param>
    /// <param name="limits">The limits the candidate must keep.</param>
    /// <exception cref="ObjectNameUnavailableException">The stem would have to become empty.</exception>
    public static string CreateCandidate(string storageName, string name, bool addSuffix, NameLimits limits)
    {
        (string folder, string fileName) = ObjectName.Split(name);
        (string stem, string extension) = SplitExtension(fileName);
        string suffix = addSuffix ? "_" + CreateSuffix() : string.Empty;

        // Shorten the stem one text element (a letter with its combining marks, an emoji) at a time until every
        // limit holds and the result is a valid name (a dotfile's stem must not shrink to "."); names are short.
        int[] elementStarts = StringInfo.ParseCombiningCharacters(stem);
        for (int kept = elementStarts.Length; kept >= 0; kept--)
        {
            int stemLength = kept == elementStarts.Length ? stem.Length : elementStarts[kept];
            if (stemLength == 0 && stem.Length > 0)
            {
                break;
            }

            string candidate = string.Concat(folder, stem.AsSpan(0, stemLength), suffix, extension);
            if (limits.Fits(candidate, folder.Length) && ObjectName.IsValid(candidate, int.MaxValue, int.MaxValue))
            {
                return candidate;
            }
        }

        throw new ObjectNameUnavailableException(storageName, name,
            $"no name derived from it fits {limits.Describe()}; nothing of the file name's stem is left to shorten. Allow a longer name or choose a shorter one.");
    }

    /// <summary>The length limits a stored name must keep.</summary>
    /// <param name="MaxChars">The caller's limit in characters (<see cref="SaveOptions.MaxNameLength"/>), if any.</param>
    /// <param name="MaxNameBytes">The backend's limit for the whole name in UTF-8 bytes.</param>
    /// <param name="MaxSegmentBytes">The backend's limit for the file name in UTF-8 bytes.</param>
    public readonly record struct NameLimits(int? MaxChars, int MaxNameBytes, int MaxSegmentBytes)
    {
        /// <summary>Tells whether a name keeps every limit.</summary>
        public bool Fits(string name, int fileNameStart)
        {
            if (MaxChars is { } maxChars && name.Length > maxChars)
            {
                return false;
            }

            return Encoding.UTF8.GetByteCount(name) <= MaxNameBytes
                && Encoding.UTF8.GetByteCount(name.AsSpan(fileNameStart)) <= MaxSegmentBytes;
        }

        internal string Describe() => MaxChars is { } maxChars
            ? $"{maxChars} characters and {MaxNameBytes} UTF-8 bytes"
            : $"{MaxNameBytes} UTF-8 bytes ({MaxSegmentBytes} per file name)";
    }
}
