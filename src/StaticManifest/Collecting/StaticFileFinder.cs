using System.Collections.Concurrent;
using System.IO.Enumeration;

namespace Wharf.StaticManifest.Collecting;

/// <summary>A file found in a source folder: its logical path (relative, '/'-separated) and where it is.</summary>
/// <param name="LogicalPath">The path the app refers to, such as <c>css/site.css</c>.</param>
/// <param name="PhysicalPath">The file on disk.</param>
/// <param name="SourceRoot">The source folder it was found in.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="LastWriteTimeUtc">Its modification time.</param>
public sealed record FoundFile(string LogicalPath, string PhysicalPath, string SourceRoot, long Length, DateTime LastWriteTimeUtc)
{
    /// <summary>
    /// When its status last changed (<c>ctime</c> on Linux; its creation time elsewhere): set by the system on every
    /// write or replacement, unlike <see cref="LastWriteTimeUtc"/>, which tools set at will (npm installs every file
    /// with 1985-10-26). Default when unknown.
    /// </summary>
    public DateTime ChangeTimeUtc { get; init; }

    /// <summary>
    /// Whether it is reached through a symbolic link (it is one, or a folder above it in the source is): its content can
    /// change without a change event for its own path, so a collect told what changed looks at it every time.
    /// </summary>
    internal bool ThroughLink { get; init; }
}

/// <summary>A logical path found in more than one source: the first wins, as in Django's finders.</summary>
/// <param name="LogicalPath">The path.</param>
/// <param name="Used">The file that is collected.</param>
/// <param name="Ignored">The files in later sources that are not.</param>
public sealed record FileConflict(string LogicalPath, string Used, IReadOnlyList<string> Ignored);

/// <summary>What the finder found.</summary>
/// <param name="Files">The files to collect, in ordinal order of logical path.</param>
/// <param name="Conflicts">Paths found in several sources.</param>
public sealed record FindResult(IReadOnlyList<FoundFile> Files, IReadOnlyList<FileConflict> Conflicts)
{
    /// <summary>
    /// Every folder walked, with its times as they were before it was read (null where they cannot be read): while
    /// none has changed, no file was added, removed or renamed, and the same files are found.
    /// </summary>
    internal IReadOnlyList<FolderStamp>? Folders { get; init; }

    /// <summary>When the walk started (the folders' times are trusted only if older than that by the racy window).</summary>
    internal DateTime StartedUtc { get; init; }
}

/// <summary>A folder the finder read, and its modification and change times before it read it.</summary>
internal readonly record struct FolderStamp(string Path, DateTime LastWriteUtc, DateTime ChangeUtc);

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
        DateTime started = DateTime.UtcNow;
        var folders = new ConcurrentQueue<FolderStamp>();
        bool stamped = true;
        var files = new Dictionary<string, FoundFile>(StringComparer.Ordinal);
        var conflicts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string source in sources)
        {
            string root = Path.GetFullPath(source);
            if (!Directory.Exists(root))
            {
                throw new DirectoryNotFoundException($"The static source folder '{source}' does not exist.");
            }

            foreach (FoundFile file in WalkSource(root, ignores, folders, ref stamped))
            {
                if (!files.TryAdd(file.LogicalPath, file))
                {
                    if (!conflicts.TryGetValue(file.LogicalPath, out List<string>? ignored))
                    {
                        conflicts[file.LogicalPath] = ignored = [];
                    }

                    ignored.Add(file.PhysicalPath);
                }
            }
        }

        FoundFile[] ordered = [.. files.Values];
        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.LogicalPath, b.LogicalPath));
        FileConflict[] conflictList = [.. conflicts
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new FileConflict(c.Key, files[c.Key].PhysicalPath, c.Value))];
        return new FindResult(ordered, conflictList) { Folders = stamped ? [.. folders] : null, StartedUtc = started };
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

    /// <summary>
    /// Every file of one source, in ordinal order of logical path. Folders are read level by level, the folders of a
    /// level in parallel: a re-collect that reads no content still stats every file, and that system time is most of
    /// its fixed cost.
    /// </summary>
    private static FoundFile[] WalkSource(string root, GlobPattern[] ignores, ConcurrentQueue<FolderStamp> stamps, ref bool stamped)
    {
        var found = new ConcurrentQueue<List<FoundFile>>();
        List<(string Folder, string Prefix, Ancestry? Ancestors, bool ThroughLink)> level = [(root, string.Empty, Ancestry.Of(root, null), false)];
        while (level.Count > 0)
        {
            var next = new ConcurrentQueue<(string Folder, string Prefix, Ancestry? Ancestors, bool ThroughLink)>();
            try
            {
                if (level.Exists(f => f.Ancestors is null))
                {
                    stamped = false;
                }

                Parallel.ForEach(level, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, folder =>
                {
                    if (folder.Ancestors is { } identity)
                    {
                        stamps.Enqueue(new FolderStamp(folder.Folder, identity.LastWriteUtc, identity.ChangeUtc));
                    }

                    List<FoundFile> files = ReadFolder(root, folder.Folder, folder.Prefix, folder.Ancestors, folder.ThroughLink, ignores, next);
                    if (files.Count > 0)
                    {
                        found.Enqueue(files);
                    }
                });
            }
            catch (AggregateException exception)
            {
                // The first failure as itself (DirectoryNotFoundException, UnauthorizedAccessException…), as a serial walk raised it.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerExceptions[0]).Throw();
            }

            level = [.. next];
        }

        FoundFile[] all = [.. found.SelectMany(f => f)];
        Array.Sort(all, static (a, b) => string.CompareOrdinal(a.LogicalPath, b.LogicalPath));
        return all;
    }

    /// <summary>One directory entry as the enumeration reads it: no <see cref="FileSystemInfo"/> per entry.</summary>
    private readonly record struct Entry(string Name, bool IsDirectory, bool IsLink);

    /// <summary>
    /// A file entry with its length and times; a link to a file counts with its target's; null for a dangling link or
    /// a file deleted since the folder was read.
    /// </summary>
    internal static FoundFile? Describe(string relative, string physical, string root, bool throughLink)
    {
        if (Internal.FileStatus.TryGet(physical, followLinks: false, out bool isLink, out long length, out DateTime written, out DateTime changed))
        {
            if (!isLink)
            {
                return new FoundFile(relative, physical, root, length, written) { ChangeTimeUtc = changed, ThroughLink = throughLink };
            }

            return Internal.FileStatus.TryGet(physical, followLinks: true, out _, out length, out written, out changed)
                ? new FoundFile(relative, physical, root, length, written) { ChangeTimeUtc = changed, ThroughLink = true }
                : null;
        }

        // No statx (another system, or the call failed): FileInfo, with the creation time as the change time.
        var info = new FileInfo(physical);
        if (!info.Exists)
        {
            return null;
        }

        bool link = (info.Attributes & FileAttributes.ReparsePoint) != 0;
        FileSystemInfo target = link ? info.ResolveLinkTarget(returnFinalTarget: true) ?? info : info;
        return target is FileInfo { Exists: true } resolved
            ? new FoundFile(relative, physical, root, resolved.Length, resolved.LastWriteTimeUtc) { ChangeTimeUtc = resolved.CreationTimeUtc, ThroughLink = throughLink || link }
            : null;
    }

    private static List<FoundFile> ReadFolder(string root, string folder, string prefix, Ancestry? ancestors, bool throughLink, GlobPattern[] ignores,
        ConcurrentQueue<(string Folder, string Prefix, Ancestry? Ancestors, bool ThroughLink)> subfolders)
    {
        // Names and types from the enumeration (getdents, no stat), then one statx per file for its length and times:
        // the same system calls as the enumeration's own lstat, plus the change time the collect cache needs.
        var enumerable = new FileSystemEnumerable<Entry>(folder, static (ref FileSystemEntry entry) =>
        {
            bool isDirectory = entry.IsDirectory;
            return new Entry(entry.FileName.ToString(), isDirectory, isDirectory && (entry.Attributes & FileAttributes.ReparsePoint) != 0);
        }, Options);

        var files = new List<FoundFile>();
        foreach (Entry entry in enumerable)
        {
            string relative = prefix + entry.Name;
            if (IsIgnored(entry.Name, relative, ignores))
            {
                continue;
            }

            string physical = Path.Join(folder, entry.Name);
            if (entry.IsDirectory)
            {
                // A link to a folder is followed (as Django's finders do) unless it loops back into its own tree.
                // With file identities (Linux), a folder that is one of its own ancestors is a loop whatever path the
                // links take (absolute links to a real path included); elsewhere the link's target is compared.
                Ancestry? identity = ancestors is null ? null : Ancestry.Of(physical, ancestors);
                bool loop = identity is null ? entry.IsLink && IsLoop(new DirectoryInfo(physical)) : ancestors!.Contains(identity);
                if (!loop)
                {
                    subfolders.Enqueue((physical, relative + "/", identity, throughLink || entry.IsLink));
                }

                continue;
            }

            if (Describe(relative, physical, root, throughLink) is { } file)
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>Every entry (dotfiles too: the ignore patterns decide), no recursion (links are followed by hand), errors raised.</summary>
    private static readonly EnumerationOptions Options = new() { AttributesToSkip = 0, RecurseSubdirectories = false, IgnoreInaccessible = false, ReturnSpecialDirectories = false };

    /// <summary>The identities (device, inode) of a folder and of the folders above it on the walk's path.</summary>
    private sealed class Ancestry(ulong device, ulong inode, DateTime lastWriteUtc, DateTime changeUtc, Ancestry? parent)
    {
        /// <summary>The folder's identity (and times) with its ancestors, or null when identities cannot be read here.</summary>
        public static Ancestry? Of(string folder, Ancestry? parent) =>
            Internal.FileStatus.TryGetIdentity(folder, out ulong device, out ulong inode, out DateTime lastWrite, out DateTime change)
                ? new Ancestry(device, inode, lastWrite, change, parent)
                : null;

        /// <summary>The folder's modification time, read before the folder is.</summary>
        public DateTime LastWriteUtc { get; } = lastWriteUtc;

        /// <summary>The folder's change time, read before the folder is.</summary>
        public DateTime ChangeUtc { get; } = changeUtc;

        /// <summary>Whether a folder's ancestors (this one included) hold the other's identity.</summary>
        public bool Contains(Ancestry other)
        {
            for (Ancestry? at = this; at is not null; at = at.Parent)
            {
                if (at.Device == other.Device && at.Inode == other.Inode)
                {
                    return true;
                }
            }

            return false;
        }

        private ulong Device { get; } = device;

        private ulong Inode { get; } = inode;

        private Ancestry? Parent { get; } = parent;
    }

    private static bool IsLoop(DirectoryInfo directory)
    {
        string target = directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory.FullName;
        string own = Path.TrimEndingDirectorySeparator(directory.FullName);
        return own.StartsWith(Path.TrimEndingDirectorySeparator(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || own == Path.TrimEndingDirectorySeparator(target);
    }
}
