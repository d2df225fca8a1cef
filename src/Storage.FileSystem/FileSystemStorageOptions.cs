using System.Globalization;

namespace Wharf.Storage.FileSystem;

/// <summary>Options of a file-system storage (<c>Backend: FileSystem</c>).</summary>
public sealed class FileSystemStorageOptions : StorageOptions
{
    /// <summary>The folder that holds the storage's files. Required. A relative path is resolved against the current directory.</summary>
    public string? Root { get; set; }

    /// <summary>Create <see cref="Root"/> when it does not exist. On by default.</summary>
    public bool CreateRoot { get; set; } = true;

    /// <summary>
    /// The Unix permission mode of saved files, in octal (<c>0644</c>), like Django's <c>FILE_UPLOAD_PERMISSIONS</c>.
    /// Applied explicitly to each file, so the process umask does not change it. Unset: the umask decides.
    /// </summary>
    public string? FileMode { get; set; }

    /// <summary>The Unix permission mode of folders the storage creates, in octal (<c>0755</c>); applied to each created level.</summary>
    public string? DirectoryMode { get; set; }

    /// <summary>
    /// Flush each saved file to the disk (fsync) before it gets its name, so a power loss never leaves an empty or
    /// partial file under a final name. On by default.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>
    /// Keep content type, cache control and metadata in the file's extended attributes (<c>user.wharf</c>), set
    /// before the file gets its name so they are committed with the content. On by default; ignored where the file
    /// system has no user extended attributes (the content type is then inferred from the name).
    /// </summary>
    public bool UseExtendedAttributes { get; set; } = true;

    /// <summary>Use <c>openat2(RESOLVE_BENEATH)</c> where the kernel has it; off only to test the portable containment check.</summary>
    internal bool UseResolveBeneath { get; set; } = true;

    /// <inheritdoc/>
    public override void Validate(StorageOptionsErrors errors)
    {
        base.Validate(errors);
        if (string.IsNullOrWhiteSpace(Root))
        {
            errors.Add(nameof(Root), "is required: the folder that holds the storage's files.");
        }
        else if (Root.AsSpan().ContainsAny('\0', '\n'))
        {
            errors.Add(nameof(Root), "contains a NUL or newline character.");
        }

        ValidateMode(errors, nameof(FileMode), FileMode);
        ValidateMode(errors, nameof(DirectoryMode), DirectoryMode);
    }

    private static void ValidateMode(StorageOptionsErrors errors, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            errors.Add(key, "Unix permission modes cannot be applied on Windows; remove the setting.");
        }
        else if (ParseMode(value) is null)
        {
            errors.Add(key, $"'{value}' is not an octal permission mode such as 0644 (at most 7777).");
        }
    }

    /// <summary>Parses an octal mode (<c>644</c>, <c>0644</c> or <c>0o644</c>), or returns <see langword="null"/>.</summary>
    internal static UnixFileMode? ParseMode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        ReadOnlySpan<char> digits = value.AsSpan().Trim();
        if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.IsEmpty || digits.Length > 5 || digits.ContainsAnyExceptInRange('0', '7'))
        {
            return null;
        }

        int mode = 0;
        foreach (char c in digits)
        {
            mode = (mode * 8) + (c - '0');
        }

        return mode <= 0xFFF ? (UnixFileMode)mode : null;
    }

    internal static string FormatMode(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0').ToString(CultureInfo.InvariantCulture);
}
