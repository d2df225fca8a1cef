using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Wharf.CollectStatic.Tests;

/// <summary>
/// The base of the tool's tests: a fresh temp folder per test (deleted after it) that is the tool's working directory,
/// holds the sources under <c>src</c>, and is the tool's <c>XDG_CACHE_HOME</c> under <c>xdg</c>, so that no run reads
/// or writes the real home's cache.
/// </summary>
public abstract partial class CollectStaticTestBase
{
    /// <summary>The last line of a collect that wrote: the counts of <c>CollectResult</c>.</summary>
    [GeneratedRegex(@"^(?<copied>\d+) static files copied to (?<where>.+), (?<unmodified>\d+) unmodified, (?<processed>\d+) post-processed, (?<compressed>\d+) compressed, (?<missing>\d+) missing, (?<deleted>\d+) deleted\.$")]
    private static partial Regex SummaryPattern();

    public TestContext TestContext { get; set; } = null!;

    protected CancellationToken Ct => TestContext.CancellationToken;

    /// <summary>This test's folder: the tool's working directory, so relative paths in arguments resolve under it.</summary>
    protected string Root { get; } = Path.Join(Path.GetTempPath(), "wharf-collectstatic-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The source folder, <c>src</c> (relative to <see cref="Root"/>, as the tool is given it).</summary>
    protected string Src => Path.Join(Root, "src");

    /// <summary>The XDG_CACHE_HOME of the runs unless a test gives another.</summary>
    protected string Xdg => Path.Join(Root, "xdg");

    [TestInitialize]
    public void CreateRoot() => Directory.CreateDirectory(Src);

    [TestCleanup]
    public void DeleteRoot()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Runs the tool in <see cref="Root"/> with XDG_CACHE_HOME = <see cref="Xdg"/>.</summary>
    protected Task<ToolRun> RunAsync(params string[] args) => RunWithCacheHomeAsync(Xdg, args);

    /// <summary>Runs the tool in <see cref="Root"/> with XDG_CACHE_HOME = <paramref name="xdg"/>.</summary>
    protected Task<ToolRun> RunWithCacheHomeAsync(string xdg, params string[] args) =>
        CollectStaticTool.RunAsync(Root, new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = xdg }, args, Ct);

    /// <summary>Runs the tool in <see cref="Root"/> with exactly these changes to the environment.</summary>
    protected Task<ToolRun> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        CollectStaticTool.RunAsync(Root, environment, args, Ct);

    /// <summary>Writes a source file under <see cref="Src"/>.</summary>
    protected void Write(string relative, string content) => Write(Src, relative, content);

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> under <paramref name="root"/>, creating its folder.</summary>
    protected static void Write(string root, string relative, string content)
    {
        string path = Path.Join(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>A folder under <see cref="Root"/> (not created).</summary>
    protected string Under(string relative) => Path.Join(Root, relative);

    /// <summary>The files under <paramref name="folder"/>, as sorted relative paths with '/'; none when it does not exist.</summary>
    protected static string[] FilesUnder(string folder) => Directory.Exists(folder)
        ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>The collect caches the tool keeps by default under <paramref name="xdg"/>/wharf.</summary>
    protected static string[] DefaultCaches(string xdg) => Directory.Exists(Path.Join(xdg, "wharf"))
        ? Directory.GetFiles(Path.Join(xdg, "wharf"), "collectstatic-*.cache")
        : [];

    /// <summary>The <c>paths</c> of the manifest in <paramref name="destination"/>: logical path → fingerprinted path.</summary>
    protected static Dictionary<string, string> ManifestPaths(string destination)
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Join(destination, "staticfiles.json")));
        return manifest.RootElement.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>The first 12 hex digits of the SHA-256 of a file: its fingerprint.</summary>
    protected static string Fingerprint(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12];

    /// <summary>The summary line, which must be the last line of standard output.</summary>
    protected static Summary SummaryOf(ToolRun run)
    {
        Match match = SummaryPattern().Match(run.OutLines.LastOrDefault() ?? "");
        Assert.IsTrue(match.Success, $"The last line of stdout is not the summary.{Environment.NewLine}{run}");
        int Count(string name) => int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        return new Summary(Count("copied"), match.Groups["where"].Value, Count("unmodified"), Count("processed"), Count("compressed"), Count("missing"), Count("deleted"));
    }

    /// <summary>Checks the exit code, showing both streams when it is not the expected one.</summary>
    protected static void AssertExit(int expected, ToolRun run) => Assert.AreEqual(expected, run.ExitCode, run.ToString());

    /// <summary>Checks that <paramref name="folder"/> does not exist or holds nothing.</summary>
    protected static void AssertAbsentOrEmpty(string folder) =>
        Assert.IsFalse(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(), $"{folder} holds {string.Join(", ", FilesUnder(folder))}.");

    /// <summary>The counts of a summary line.</summary>
    protected sealed record Summary(int Copied, string Where, int Unmodified, int PostProcessed, int Compressed, int Missing, int Deleted);
}
