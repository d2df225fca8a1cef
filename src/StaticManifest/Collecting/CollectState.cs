using Wharf.Storage;

namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// What a collector's last successful collect left, kept in memory so that the next collect on the same collector (a
/// watcher's, or a long-lived service's) processes only the files that changed and the files that refer to them:
/// every file's final state, outputs and manifest entry, the names in use, and the destination's manifest version.
/// </summary>
/// <remarks>
/// Valid only while the destination's manifest is the one that collect wrote (same ETag, length and time) and the
/// options that shape the output are the same (<see cref="KeyOf"/>); anything else runs a full collect. Files keep no
/// content here (<see cref="SourceFile.ReleaseContent"/>): an unchanged file is never read, rewritten or uploaded again.
/// </remarks>
internal sealed class CollectState
{
    /// <summary>A file modified this recently before a collect started is not taken for unchanged by the next one (its time may not change on its next write).</summary>
    public static readonly TimeSpan DefaultRacyWindow = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _racyWindow;

    private Dictionary<string, List<SourceFile>>? _dependents;
    private Dictionary<string, List<SourceFile>>? _byPhysicalPath;

    public CollectState(string key, SourceFile[] files, Dictionary<string, SourceFile> byPath, Dictionary<string, string> names,
        FindResult found, DateTime started, TimeSpan racyWindow, StorageObjectInfo manifest, string manifestSha256)
    {
        Found = found;
        _racyWindow = racyWindow;
        for (int i = 0; i < files.Length; i++)
        {
            files[i].StateIndex = i;
        }

        Key = key;
        Files = files;
        ByPath = byPath;
        Names = names;
        Started = started;
        Manifest = manifest;
        ManifestSha256 = manifestSha256;
    }

    /// <summary>The options this state was made with (<see cref="KeyOf"/>).</summary>
    public string Key { get; }

    /// <summary>Every collected file, in ordinal order of logical path, each finished (name, hashes, outputs, entry).</summary>
    public SourceFile[] Files { get; }

    /// <summary>The files by logical path.</summary>
    public Dictionary<string, SourceFile> ByPath { get; }

    /// <summary>Every stored name in use (outputs, variants, the manifest) → the logical path it belongs to.</summary>
    public Dictionary<string, string> Names { get; }

    /// <summary>What the last walk of the sources found: the conflicts, and the folders' times.</summary>
    /// <remarks>A collect that finds nothing changed keeps this state with its own walk's result (fresher folder times).</remarks>
    public FindResult Found { get; set; }

    /// <summary>When that collect started (before its sources were walked).</summary>
    public DateTime Started { get; }

    /// <summary>The destination's manifest as that collect left it.</summary>
    public StorageObjectInfo Manifest { get; }

    /// <summary>The SHA-256 of that manifest's bytes.</summary>
    public string ManifestSha256 { get; }

    /// <summary>
    /// What must match for a state to be reused: everything that decides which files are found and what they become
    /// (the collect cache's key, the sources, the ignore patterns, originals, missing-reference mode).
    /// </summary>
    public static string KeyOf(StaticCollectOptions options, IReadOnlyList<string> ignores) =>
        string.Join('\n', [CollectCache.KeyOf(options), string.Join('\0', options.Sources.Select(Path.GetFullPath)), string.Join('\0', ignores),
            options.KeepOriginals ? "originals" : "fingerprinted only", options.MissingReferences.ToString()]);

    /// <summary>Whether the destination's manifest is still the one this state's collect wrote.</summary>
    public bool Describes(StorageObjectInfo manifest) =>
        Manifest.ETag is not null && manifest.ETag == Manifest.ETag && manifest.Length == Manifest.Length && manifest.LastModified == Manifest.LastModified;

    /// <summary>
    /// Whether a found file is the one this state knows under its logical path, as it was: same physical file, length,
    /// modification and change time, and neither time within the racy window of that collect's start.
    /// </summary>
    public bool IsUnchanged(SourceFile known, FoundFile found) => IsSame(known.Found, found) && IsSettled(known.Found);

    /// <summary>Whether a file's times were settled when that collect started: a later write in the same tick would not show.</summary>
    public bool IsSettled(FoundFile file) => file.LastWriteTimeUtc < Started - _racyWindow && file.ChangeTimeUtc < Started - _racyWindow;

    private static bool IsSame(FoundFile a, FoundFile b) =>
        ReferenceEquals(a, b) || a.PhysicalPath == b.PhysicalPath && a.Length == b.Length && a.LastWriteTimeUtc == b.LastWriteTimeUtc && a.ChangeTimeUtc == b.ChangeTimeUtc;

    /// <summary>
    /// Logical path → the files whose references resolve to it, or would if it existed (their missing references):
    /// when that path changes, appears or goes, those files are processed again.
    /// </summary>
    public IReadOnlyDictionary<string, List<SourceFile>> Dependents => _dependents ??= BuildDependents();

    private Dictionary<string, List<SourceFile>> BuildDependents()
    {
        var dependents = new Dictionary<string, List<SourceFile>>(StringComparer.Ordinal);
        foreach (SourceFile file in Files)
        {
            AddDependent(dependents, file);
        }

        return dependents;
    }

    /// <summary>The paths a file's references resolve to, or would if they existed.</summary>
    private static IEnumerable<string> Targets(SourceFile file) =>
        file.Links.Select(l => l.Target.Found.LogicalPath).Concat(file.Missing.Where(m => m.TargetPath is not null).Select(m => m.TargetPath!)).Distinct(StringComparer.Ordinal);

    private static void AddDependent(Dictionary<string, List<SourceFile>> dependents, SourceFile file)
    {
        foreach (string target in Targets(file))
        {
            ref List<SourceFile>? list = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(dependents, target, out _);
            (list ??= []).Add(file);
        }
    }

    private static void RemoveDependent(Dictionary<string, List<SourceFile>> dependents, SourceFile file)
    {
        foreach (string target in Targets(file))
        {
            if (dependents.TryGetValue(target, out List<SourceFile>? list))
            {
                list.Remove(file);
                if (list.Count == 0)
                {
                    dependents.Remove(target);
                }
            }
        }
    }

    /// <summary>
    /// The state after a collect that started from this one: <paramref name="files"/> are the last collect's but for
    /// <paramref name="work"/>, which replace <paramref name="replaced"/>, and <paramref name="removed"/>, which are
    /// gone. This state's lookups (<see cref="ByPath"/> and <see cref="Names"/> already) are updated in place and
    /// handed over, in time proportional to what changed; this state is not used again.
    /// </summary>
    public CollectState Next(SourceFile[] files, IReadOnlyList<SourceFile> work, IEnumerable<SourceFile> replaced, IReadOnlyList<SourceFile> removed,
        FindResult found, DateTime started, StorageObjectInfo manifest, string manifestSha256)
    {
        SourceFile[] old = [.. replaced.Concat(removed)];
        if (_dependents is { } dependents)
        {
            foreach (SourceFile file in old)
            {
                RemoveDependent(dependents, file);
            }

            foreach (SourceFile file in work)
            {
                AddDependent(dependents, file);
            }
        }

        if (_byPhysicalPath is { } byPhysicalPath)
        {
            foreach (SourceFile file in old)
            {
                if (byPhysicalPath.TryGetValue(file.Found.PhysicalPath, out List<SourceFile>? list))
                {
                    list.Remove(file);
                    if (list.Count == 0)
                    {
                        byPhysicalPath.Remove(file.Found.PhysicalPath);
                    }
                }
            }

            foreach (SourceFile file in work)
            {
                AddPhysical(byPhysicalPath, file);
            }
        }

        return new CollectState(Key, files, ByPath, Names, found, started, _racyWindow, manifest, manifestSha256)
        {
            _dependents = _dependents,
            _byPhysicalPath = _byPhysicalPath,
        };
    }

    /// <summary>
    /// The sources as they are now, when the only possible changes are to the contents of <paramref name="changed"/>
    /// (physical paths a watcher reported): this state's files with those read again from disk, and the files this
    /// state's collect found within the racy window, and the files reached through a symbolic link (their content
    /// changes under another path, which a watcher reports, if at all, as that path). False when a reported path is
    /// not a file this state knows, or is gone or now a folder: a file was added, removed or renamed, and the sources
    /// must be walked. Hard links are not known as such: a change made through another hard link is seen by the next
    /// collect that is not told what changed.
    /// </summary>
    public bool TryUpdate(IReadOnlyCollection<string> changed, out FindResult found)
    {
        found = Found;
        // Several files may share a physical path: sources that overlap (wwwroot and wwwroot/lib) find a file under two
        // logical paths.
        _byPhysicalPath ??= BuildByPhysicalPath();
        var restat = new HashSet<SourceFile>();
        foreach (string path in changed)
        {
            if (!_byPhysicalPath.TryGetValue(path, out List<SourceFile>? known) || Directory.Exists(path))
            {
                return false;
            }

            restat.UnionWith(known);
        }

        foreach (SourceFile file in Files)
        {
            if (!IsSettled(file.Found) || file.Found.ThroughLink)
            {
                restat.Add(file);
            }
        }

        FoundFile[] files = [.. Files.Select(f => f.Found)];
        foreach (SourceFile known in restat)
        {
            if (!Internal.FileStatus.TryGet(known.Found.PhysicalPath, followLinks: true, out _, out long length, out DateTime lastWrite, out DateTime change))
            {
                if (StaticFileFinder.Describe(known.Found.LogicalPath, known.Found.PhysicalPath, known.Found.SourceRoot, known.Found.ThroughLink) is not { } described)
                {
                    return false;
                }

                (length, lastWrite, change) = (described.Length, described.LastWriteTimeUtc, described.ChangeTimeUtc);
            }

            files[known.StateIndex] = Restated(known.Found, length, lastWrite, change);
        }

        found = Found with { Files = files };
        return true;
    }

    /// <summary>A known file with its status read again: the same object when nothing changed.</summary>
    private static FoundFile Restated(FoundFile known, long length, DateTime lastWrite, DateTime change) =>
        length == known.Length && lastWrite == known.LastWriteTimeUtc && change == known.ChangeTimeUtc
            ? known
            : known with { Length = length, LastWriteTimeUtc = lastWrite, ChangeTimeUtc = change };

    private Dictionary<string, List<SourceFile>> BuildByPhysicalPath()
    {
        var byPhysicalPath = new Dictionary<string, List<SourceFile>>(Files.Length, StringComparer.Ordinal);
        foreach (SourceFile file in Files)
        {
            AddPhysical(byPhysicalPath, file);
        }

        return byPhysicalPath;
    }

    private static void AddPhysical(Dictionary<string, List<SourceFile>> byPhysicalPath, SourceFile file)
    {
        ref List<SourceFile>? list = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byPhysicalPath, file.Found.PhysicalPath, out _);
        (list ??= []).Add(file);
    }

    /// <summary>
    /// The sources as they are now without walking them, when no folder the last walk read has changed (so no file
    /// was added, removed or renamed): one status read per folder and per file, in parallel, and no listing, no ignore
    /// matching, no sorting. False when a folder changed (or its times were too recent to trust), a file is gone, or
    /// the folders' times are unknown here: the sources must be walked.
    /// </summary>
    public bool TryRestat(out FindResult found)
    {
        found = Found;
        if (Found.Folders is not { } folders)
        {
            return false;
        }

        DateTime racy = Found.StartedUtc - _racyWindow;
        int changed = 0;
        Parallel.For(0, folders.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, loop) =>
        {
            FolderStamp folder = folders[i];
            if (!Internal.FileStatus.TryGet(folder.Path, followLinks: true, out _, out _, out DateTime lastWrite, out DateTime change)
                || lastWrite != folder.LastWriteUtc || change != folder.ChangeUtc || lastWrite >= racy || change >= racy)
            {
                Interlocked.Exchange(ref changed, 1);
                loop.Stop();
            }
        });
        if (changed != 0)
        {
            return false;
        }

        var files = new FoundFile[Files.Length];
        Parallel.For(0, Files.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, loop) =>
        {
            FoundFile known = Files[i].Found;
            // Following links, as the finder counts a link to a file with its target's length and times.
            if (!Internal.FileStatus.TryGet(known.PhysicalPath, followLinks: true, out _, out long length, out DateTime lastWrite, out DateTime change))
            {
                Interlocked.Exchange(ref changed, 1);
                loop.Stop();
                return;
            }

            files[i] = Restated(known, length, lastWrite, change);
        });
        if (changed != 0)
        {
            return false;
        }

        found = Found with { Files = files };
        return true;
    }
}
