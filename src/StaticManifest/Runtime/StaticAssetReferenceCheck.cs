using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// Finds static asset references that the manifest does not have, before a user does: in a test or a CI step,
/// after collecting, so the strict lookup's error never reaches production (Django's #26329).
/// </summary>
/// <example>
/// <code>
/// StaticAssetManifest manifest = StaticAssetManifest.Parse(File.ReadAllBytes("artifacts/static/staticfiles.json"));
/// StaticAssetReferenceCheckResult result = await StaticAssetReferenceCheck.VerifyFolderAsync(manifest, "src/MyApp");
/// Assert.IsTrue(result.Succeeded, result.ToString());
/// </code>
/// </example>
public static partial class StaticAssetReferenceCheck
{
    /// <summary>The file extensions scanned by default: Razor views and pages, and HTML.</summary>
    public static IReadOnlyList<string> DefaultExtensions { get; } = [".cshtml", ".html", ".htm"];

    /// <summary>Checks references against a manifest, normalizing each as the resolver does (leading <c>/</c>, query, fragment).</summary>
    /// <param name="manifest">The collected manifest.</param>
    /// <param name="references">The references, such as those <see cref="ScanFolderAsync"/> found. Dynamic ones are listed, not checked.</param>
    public static StaticAssetReferenceCheckResult Verify(StaticAssetManifest manifest, IEnumerable<StaticAssetReference> references)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(references);
        var all = new List<StaticAssetReference>();
        var missing = new List<StaticAssetReference>();
        var dynamic = new List<StaticAssetReference>();
        foreach (StaticAssetReference reference in references)
        {
            all.Add(reference);
            if (reference.IsDynamic)
            {
                dynamic.Add(reference);
                continue;
            }

            ReadOnlySpan<char> key = StaticAssetPath.Split(reference.Path, out _);
            if (key.IsEmpty || !manifest.TryGetByLogicalPath(key.ToString(), out _))
            {
                missing.Add(reference);
            }
        }

        return new StaticAssetReferenceCheckResult(all, missing, dynamic);
    }

    /// <summary>Checks logical paths used in code (no file or line known).</summary>
    public static StaticAssetReferenceCheckResult Verify(StaticAssetManifest manifest, IEnumerable<string> logicalPaths)
    {
        ArgumentNullException.ThrowIfNull(logicalPaths);
        return Verify(manifest, logicalPaths.Select(static path => new StaticAssetReference(path, null, 0, 0, "code")));
    }

    /// <summary>Scans a folder and checks what it references: <see cref="ScanFolderAsync"/>, then <see cref="Verify(StaticAssetManifest, IEnumerable{StaticAssetReference})"/>.</summary>
    public static async Task<StaticAssetReferenceCheckResult> VerifyFolderAsync(
        StaticAssetManifest manifest, string folder, IEnumerable<string>? extensions = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<StaticAssetReference> references = await ScanFolderAsync(folder, extensions, cancellationToken).ConfigureAwait(false);
        return Verify(manifest, references);
    }

    /// <summary>
    /// Finds static asset references in the files below a folder (<c>bin</c>, <c>obj</c>, <c>node_modules</c> and
    /// dot-folders skipped): <c>wharf-href="…"</c> and <c>wharf-src="…"</c> attributes and <c>StaticAsset("…")</c>
    /// calls (<c>Url.StaticAsset</c>) with a literal argument. References inside HTML and Razor comments are ignored.
    /// </summary>
    /// <param name="folder">The folder, such as the web project's.</param>
    /// <param name="extensions">The file extensions to read; <see cref="DefaultExtensions"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The references in file order, with paths relative to <paramref name="folder"/> using <c>/</c>.</returns>
    /// <remarks>A simple scanner, not a Razor compiler: a value with a Razor expression (<c>wharf-src="@Model.Logo"</c>) is returned as <see cref="StaticAssetReference.IsDynamic"/>.</remarks>
    public static async Task<IReadOnlyList<StaticAssetReference>> ScanFolderAsync(
        string folder, IEnumerable<string>? extensions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The folder '{root}' to scan for static asset references does not exist.");
        }

        var wanted = new HashSet<string>(extensions ?? DefaultExtensions, StringComparer.OrdinalIgnoreCase);
        var files = new List<string>();
        CollectFiles(root, wanted, files);
        files.Sort(StringComparer.Ordinal);
        var references = new List<StaticAssetReference>();
        foreach (string file in files)
        {
            string text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            references.AddRange(ScanText(text, relative));
        }

        return references;
    }

    /// <summary>Finds static asset references in one file's text (see <see cref="ScanFolderAsync"/>).</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="file">Its name, for the references; a <c>.cshtml</c> or <c>.razor</c> name turns on Razor rules (comments, <c>@</c> expressions).</param>
    public static IReadOnlyList<StaticAssetReference> ScanText(string text, string? file)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool razor = file is not null && (file.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".razor", StringComparison.OrdinalIgnoreCase));
        string visible = BlankComments(text, razor);
        List<int> lineStarts = GetLineStarts(text);
        var references = new List<StaticAssetReference>();
        foreach (Match match in ReferencePattern().Matches(visible))
        {
            Group value = match.Groups["value"];
            bool isCall = match.Groups["call"].Success;
            string syntax = isCall ? "StaticAsset()" : match.Groups["attribute"].Value.ToLowerInvariant();
            string path = isCall ? UnescapeCSharp(value.Value) : value.Value;
            bool isDynamic = false;
            if (razor && !isCall)
            {
                path = UnescapeRazor(path, out isDynamic);
            }

            (int line, int column) = GetPosition(lineStarts, value.Index);
            references.Add(new StaticAssetReference(path, file, line, column, syntax) { IsDynamic = isDynamic });
        }

        return references;
    }

    private static void CollectFiles(string folder, HashSet<string> extensions, List<string> files)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            if (extensions.Contains(Path.GetExtension(file)))
            {
                files.Add(file);
            }
        }

        foreach (string child in Directory.EnumerateDirectories(folder))
        {
            string name = Path.GetFileName(child);
            if (name.StartsWith('.') || name is "bin" or "obj" or "node_modules")
            {
                continue;
            }

            CollectFiles(child, extensions, files);
        }
    }

    /// <summary>Replaces <c>&lt;!-- … --&gt;</c> (and, in Razor, <c>@* … *@</c>) with spaces, newlines kept, so offsets and lines stay true.</summary>
    private static string BlankComments(string text, bool razor)
    {
        StringBuilder? builder = null;
        int index = 0;
        while (index < text.Length)
        {
            int html = text.IndexOf("<!--", index, StringComparison.Ordinal);
            int razorComment = razor ? text.IndexOf("@*", index, StringComparison.Ordinal) : -1;
            int start = html < 0 ? razorComment : razorComment < 0 ? html : Math.Min(html, razorComment);
            if (start < 0)
            {
                break;
            }

            string close = start == html ? "-->" : "*@";
            int end = text.IndexOf(close, start + 2, StringComparison.Ordinal);
            end = end < 0 ? text.Length : end + close.Length;
            builder ??= new StringBuilder(text);
            for (int i = start; i < end; i++)
            {
                if (builder[i] is not ('\n' or '\r'))
                {
                    builder[i] = ' ';
                }
            }

            index = end;
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>Razor's reading of an attribute value: <c>@@</c> is a literal <c>@</c>, and <c>@</c> after a letter or digit is literal too (<c>logo@2x.png</c>); any other <c>@</c> starts code.</summary>
    private static string UnescapeRazor(string value, out bool isDynamic)
    {
        isDynamic = false;
        if (!value.Contains('@', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '@')
            {
                if (i + 1 < value.Length && value[i + 1] == '@')
                {
                    i++;
                }
                else if (i == 0 || !char.IsLetterOrDigit(value[i - 1]))
                {
                    isDynamic = true;
                }
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string UnescapeCSharp(string value) =>
        value.Contains('\\', StringComparison.Ordinal) ? value.Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal) : value;

    private static List<int> GetLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static (int Line, int Column) GetPosition(List<int> lineStarts, int offset)
    {
        int index = lineStarts.BinarySearch(offset);
        int line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - lineStarts[line] + 1);
    }

    // wharf-href="…" / wharf-src='…' / wharf-src=unquoted (attribute names are case-insensitive in HTML), or StaticAsset("…") with a C# literal.
    [GeneratedRegex("""(?<![\w-])(?<attribute>(?i:wharf-(?:href|src)))\s*=\s*(?:"(?<value>[^"]*)"|'(?<value>[^']*)'|(?<value>[^\s"'=<>`]+))|(?<call>\bStaticAsset)\(\s*"(?<value>(?:[^"\\\r\n]|\\.)*)"\s*\)""",
        RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();
}

/// <summary>One reference to a static asset.</summary>
/// <param name="Path">The logical path as written, such as <c>css/site.css</c>.</param>
/// <param name="File">The file it is in, relative to the scanned folder; <see langword="null"/> for a path given in code.</param>
/// <param name="Line">Its 1-based line; 0 when unknown.</param>
/// <param name="Column">Its 1-based column (of the path's first character); 0 when unknown.</param>
/// <param name="Syntax">How it was written: <c>wharf-href</c>, <c>wharf-src</c>, <c>StaticAsset()</c> or <c>code</c>.</param>
public sealed record StaticAssetReference(string Path, string? File, int Line, int Column, string Syntax)
{
    /// <summary>The value has a Razor expression, so the path is only known at run time and is not checked.</summary>
    public bool IsDynamic { get; init; }

    /// <summary><c>file:line:column</c>, or the path alone for a reference from code.</summary>
    public string Location => File is null ? Path : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}");

    /// <inheritdoc/>
    public override string ToString() => File is null ? $"'{Path}'" : $"{Location}: {Syntax} '{Path}'";
}

/// <summary>The outcome of a <see cref="StaticAssetReferenceCheck"/>.</summary>
public sealed class StaticAssetReferenceCheckResult
{
    internal StaticAssetReferenceCheckResult(IReadOnlyList<StaticAssetReference> references, IReadOnlyList<StaticAssetReference> missing, IReadOnlyList<StaticAssetReference> dynamic)
    {
        References = references;
        Missing = missing;
        Dynamic = dynamic;
    }

    /// <summary>Every reference considered.</summary>
    public IReadOnlyList<StaticAssetReference> References { get; }

    /// <summary>The references the manifest does not have: each would throw <see cref="StaticAssetNotFoundException"/> at run time.</summary>
    public IReadOnlyList<StaticAssetReference> Missing { get; }

    /// <summary>References whose path is a Razor expression, which a scan cannot check.</summary>
    public IReadOnlyList<StaticAssetReference> Dynamic { get; }

    /// <summary>No reference is missing.</summary>
    public bool Succeeded => Missing.Count == 0;

    /// <summary>Throws when a reference is missing, with the report as the message.</summary>
    /// <exception cref="StaticManifestException">At least one reference is missing.</exception>
    public void ThrowIfMissing()
    {
        if (!Succeeded)
        {
            throw new StaticManifestException(ToString());
        }
    }

    /// <summary>A report: one line per missing reference, <c>file:line:column: syntax 'path' is not in the manifest</c>.</summary>
    public override string ToString()
    {
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{References.Count - Dynamic.Count} static asset references checked, {Missing.Count} missing from the manifest");
        if (Dynamic.Count > 0)
        {
            report.Append(CultureInfo.InvariantCulture, $", {Dynamic.Count} dynamic (not checked)");
        }

        report.Append('.');
        foreach (StaticAssetReference reference in Missing)
        {
            report.AppendLine().Append(reference).Append(" is not in the manifest");
        }

        return report.ToString();
    }
}
