namespace Wharf.StaticManifest.Collecting;

/// <summary>A file found in a source folder: its logical path (relative, '/'-separated) and where it is.</summary>
/// <param name="LogicalPath">The path the app refers to, such as <c>css/site.css</c>.</param>
/// <param name="PhysicalPath">The file on disk.</param>
/// <param name="SourceRoot">The source folder it was found in.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="LastWriteTimeUtc">Its modification time.</param>
public sealed record FoundFile(string LogicalPath, string PhysicalPath, string SourceRoot, long Length, DateTime LastWriteTimeUtc);

/// <summary>A logical path found in more than one source: the first wins, as in Django's finders.</summary>
/// <param name="LogicalPath">The path.</param>
/// <param name="Used">The file that is collected.</param>
/// <param name="Ignored">The files in later sources that are not.</param>
public sealed record FileConflict(string LogicalPath, string Used, IReadOnlyList<string> Ignored);

/// <summary>What the finder found.</summary>
/// <param name="Files">The files to collect, in ordinal order of logical path.</param>
/// <param name="Conflicts">Paths found in several sources.</param>
public sealed record FindResult(IReadOnlyList<FoundFile> Files, IReadOnlyList<FileConflict> Conflicts);

/// <summary>
/// Finds the files of one or more source folders (Django's <c>STATICFILES_DIRS</c>), in order: the first source that
/// has a path wins, and later ones are reported as conflicts. Ignore patterns are matched against each file's and
/// folder's name and relative path (Django's <c>--ignore</c>); an ignored folder is not entered.
/// </summary>
public static class StaticFileFinder
{
    /// <summary>Django's default ignore patterns: <c>CVS</c>, dotfiles and dot-folders, editor backups.</summary>
    public static IReadOnlyList<string> DefaultIgnorePatterns { get; } = ["CVS", ".*", "*~"];

    /// <summary>Finds the files.</summary>
    /// <param name="sources">Source folders, first wins.</param>
    /// <param name="ignorePatterns">Shell-style patterns; see <see cref="GlobPattern"/>.</param>
    /// <exception cref="DirectoryNotFoundException">A source folder does not exist.</exception>
    public static FindResult Find(IEnumerable<string> sources, IEnumerable<string> ignorePatterns)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(ignorePatterns);
        GlobPattern[] ignores = ignorePatterns.Select(p => new GlobPattern(p)).ToArray();
        var files = new Dictionary<string, FoundFile>(StringComparer.Ordinal);
        var conflicts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string source in sources)
        {
            string root = Path.GetFullPath(source);
            if (!Directory.Exists(root))
            {
                throw new DirectoryNotFoundException($"The static source folder '{source}' does not exist.");
            }

            Walk(root, new DirectoryInfo(root), string.Empty, ignores, files, conflicts);
        }

        FoundFile[] ordered = [.. files.Values.OrderBy(f => f.LogicalPath, StringComparer.Ordinal)];
        FileConflict[] conflictList = [.. conflicts
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new FileConflict(c.Key, files[c.Key].PhysicalPath, c.Value))];
        return new FindResult(ordered, conflictList);
    }

    /// <summary>Whether a name or relative path matches any pattern (both are tried, as Django does).</summary>
    public static bool IsIgnored(string name, string relativePath, IReadOnlyList<GlobPattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        foreach (GlobPattern pattern in patterns)
        {
            if (pattern.IsMatch(name) || pattern.IsMatch(relativePath))
            {
                return true;
            }
        }

        return false;
    }

    private static void Walk(string root, DirectoryInfo folder, string prefix, GlobPattern[] ignores, Dictionary<string, FoundFile> files, Dictionary<string, List<string>> conflicts)
    {
        // Ordinal order, so what is found (and which of two equal paths counts as first) never depends on the file system.
        FileSystemInfo[] entries = folder.GetFileSystemInfos();
        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (FileSystemInfo entry in entries)
        {
            string relative = prefix + entry.Name;
            if (IsIgnored(entry.Name, relative, ignores))
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                // A link to a folder is followed (as Django's finders do) unless it loops back into its own tree.
                if (IsLink(directory) && IsLoop(directory))
                {
                    continue;
                }

                Walk(root, directory, relative + "/", ignores, files, conflicts);
            }
            else if (entry is FileInfo file)
            {
                if (files.ContainsKey(relative))
                {
                    if (!conflicts.TryGetValue(relative, out List<string>? ignored))
                    {
                        conflicts[relative] = ignored = [];
                    }

                    ignored.Add(file.FullName);
                    continue;
                }

                FileSystemInfo target = !IsLink(file) ? file : file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
                if (target is FileInfo { Exists: true } resolved)
                {
                    files[relative] = new FoundFile(relative, file.FullName, root, resolved.Length, resolved.LastWriteTimeUtc);
                }
            }
        }
    }

    /// <summary>
    /// Whether an entry is a symbolic link, from the status the enumeration already read: <c>LinkTarget</c> would
    /// cost a <c>readlink</c> call per file, about a third of finding a large tree.
    /// </summary>
    private static bool IsLink(FileSystemInfo entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is not null;

    private static bool IsLoop(DirectoryInfo directory)
    {
        string target = directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory.FullName;
        string own = Path.TrimEndingDirectorySeparator(directory.FullName);
        return own.StartsWith(Path.TrimEndingDirectorySeparator(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || own == Path.TrimEndingDirectorySeparator(target);
    }
}
