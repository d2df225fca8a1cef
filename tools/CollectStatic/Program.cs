using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wharf.StaticManifest.Collecting;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

// wharf-collectstatic: collects static files into a folder or a configured Wharf storage (S3, Azure, …).
//   wharf-collectstatic --source wwwroot [--source more] --destination artifacts/static
//   wharf-collectstatic --source wwwroot --config appsettings.json --storage staticfiles
// Options: --ignore GLOB (repeatable), --no-default-ignore, --static-url /static/, --lenient, --no-originals,
// --no-compress, --dry-run, --prune, --parallel N, --cache FILE, --no-cache, --variants-cache DIR, --watch.
// --watch keeps collecting as the sources change (each change processes only what changed and the files that refer
// to it) until Ctrl+C or SIGTERM; a failed collect is reported and the next change collects again.
// Re-collects are incremental by default: a collect cache (and the precompressed variants beside it) is kept per
// set of sources and destination under $XDG_CACHE_HOME/wharf (~/.cache/wharf; %LOCALAPPDATA%\wharf\cache on Windows);
// --cache FILE puts it elsewhere (a CI cache folder, say), --no-cache reads every source and lists the destination.
// Exit codes: 0 done, 1 failed (missing references in strict mode, storage errors, a storage the configuration does
// not define validly), 2 bad arguments (a --config file that is missing or not JSON included).
var options = new StaticCollectOptions();
string? destination = null;
string? configPath = null;
IConfiguration? configuration = null;
string storageName = "staticfiles";
bool useCache = true;
bool watch = false;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--source": options.Sources.Add(Next()); break;
            case "--destination": destination = Next(); break;
            case "--config": configPath = Next(); break;
            case "--storage": storageName = Next(); break;
            case "--ignore" or "-i": options.IgnorePatterns.Add(Next()); break;
            case "--no-default-ignore": options.UseDefaultIgnorePatterns = false; break;
            case "--static-url": options.StaticUrl = Next(); break;
            case "--lenient": options.MissingReferences = MissingReferenceMode.Lenient; break;
            case "--no-originals": options.KeepOriginals = false; break;
            case "--no-compress": options.Precompress = false; break;
            case "--dry-run" or "-n": options.DryRun = true; break;
            case "--prune" or "--clear": options.PruneStale = true; break;
            case "--parallel": options.MaxParallelUploads = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
            case "--cache": options.CacheFile = Next(); break;
            case "--no-cache": useCache = false; break;
            case "--variants-cache": options.PrecompressionCacheDirectory = Next(); break;
            case "--watch" or "-w": watch = true; break;
            case "--help" or "-h":
                Console.WriteLine("usage: wharf-collectstatic --source DIR [--source DIR…] (--destination DIR | --config FILE [--storage NAME]) [--ignore GLOB] [--no-default-ignore] [--static-url URL] [--lenient] [--no-originals] [--no-compress] [--dry-run] [--prune] [--parallel N] [--cache FILE | --no-cache] [--variants-cache DIR] [--watch]");
                return 0;
            default: throw new ArgumentException($"unknown argument '{args[i]}' (see --help).");
        }
    }

    if ((destination is null) == (configPath is null))
    {
        throw new ArgumentException("give either --destination DIR or --config FILE (with --storage NAME).");
    }

    if (!useCache && options.CacheFile is not null)
    {
        throw new ArgumentException("--cache and --no-cache cannot be given together.");
    }

    if (watch && options.DryRun)
    {
        throw new ArgumentException("--watch and --dry-run cannot be given together (a watch publishes each change).");
    }

    if (useCache && options.Sources.Count > 0)
    {
        options.CacheFile ??= DefaultCache.PathFor(options.Sources, destination is not null ? $"dir:{Path.GetFullPath(destination)}" : $"config:{Path.GetFullPath(configPath!)}#{storageName}");
    }

    options.Validate();

    // Read here so that a --config file that is missing or not JSON is a bad argument, not an unhandled exception.
    if (configPath is not null)
    {
        configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configPath), optional: false).Build();
    }
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException or IOException or InvalidDataException)
{
    // A JSON syntax error is two inner exceptions down ("Failed to load configuration from file …" says only where).
    Exception cause = exception.GetBaseException();
    Console.Error.WriteLine($"wharf-collectstatic: {exception.Message}" + (cause == exception ? "" : $" {cause.Message}"));
    return 2;
}

var services = new ServiceCollection();
if (destination is not null)
{
    // A static root is rebuilt from its sources at will: no fsync per file, no extended attributes.
    services.AddWharfStorage().AddFileSystem(storageName, o =>
    {
        o.Root = Path.GetFullPath(destination);
        o.FlushToDisk = false;
        o.UseExtendedAttributes = false;
    });
}
else
{
    services.AddWharfStorage(configuration!).AddFileSystem().AddS3().AddAzureBlob();
}

await using ServiceProvider provider = services.BuildServiceProvider();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// A supervisor's stop (SIGTERM) ends a watch as Ctrl+C does: the collect under way is abandoned, the manifest stays.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

try
{
    IStorage storage = provider.GetRequiredKeyedService<IStorage>(storageName);
    var collector = new StaticCollector(storage, options);
    var progress = new TerminalProgress();
    string where = destination ?? $"storage '{storageName}'";
    if (watch)
    {
        Console.WriteLine($"Watching {string.Join(", ", options.Sources)} (Ctrl+C to stop).");
        // Conflicts and missing references are listed after the first collect; later ones print their summary only.
        bool first = true;
        await collector.WatchAsync(
            collected: result =>
            {
                progress.Finish();
                Report(result, where, options.DryRun, details: first);
                first = false;
            },
            failed: exception =>
            {
                progress.Finish();
                Console.Error.WriteLine($"wharf-collectstatic: {exception.Message}");
                Console.Error.WriteLine("Waiting for the next change.");
            },
            progress: progress,
            cancellationToken: cancel.Token);
        Console.WriteLine("Stopped watching.");
        return 0;
    }

    CollectResult result = await collector.CollectAsync(progress, cancel.Token);
    progress.Finish();
    Report(result, where, options.DryRun, details: true);
    return 0;
}
catch (MissingReferencesException exception)
{
    Console.Error.WriteLine($"wharf-collectstatic: {exception.Message}");
    Console.Error.WriteLine("Nothing was written. Fix the references, or pass --lenient to leave them unchanged.");
    return 1;
}
catch (Exception exception) when (exception is StorageException or IOException or Wharf.StaticManifest.StaticManifestException or InvalidOperationException or OptionsValidationException)
{
    Console.Error.WriteLine($"wharf-collectstatic: {exception.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("wharf-collectstatic: cancelled; the previous manifest is still in place.");
    return 1;
}

/// <summary>Prints what a collect did: conflicts and missing references, then one summary line.</summary>
static void Report(CollectResult result, string where, bool dryRun, bool details)
{
    if (details)
    {
        foreach (FileConflict conflict in result.Conflicts)
        {
            Console.WriteLine($"conflict: {conflict.LogicalPath} found in {conflict.Ignored.Count + 1} sources; using {conflict.Used}");
        }

        foreach (MissingReference missing in result.Missing)
        {
            Console.WriteLine($"missing: {missing}");
        }
    }

    Console.WriteLine(dryRun
        ? $"Dry run: {result.Found} static files found, {result.PostProcessed} would be post-processed, {result.Compressed} variants compressed, {result.Missing.Count} missing references; nothing written."
        : $"{result.Copied} static files copied to {where}, {result.Unmodified} unmodified, {result.PostProcessed} post-processed, {result.Compressed} compressed, {result.Missing.Count} missing, {result.Deleted} deleted.");
}

/// <summary>Where the collect cache lives unless --cache says otherwise: one file per set of sources and destination.</summary>
internal static class DefaultCache
{
    public static string PathFor(IEnumerable<string> sources, string destination)
    {
        string key = string.Join('\n', sources.Select(Path.GetFullPath)) + "\n" + destination;
        string id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16];
        return Path.Combine(Folder(), $"collectstatic-{id}.cache");
    }

    private static string Folder()
    {
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg))
        {
            return Path.Combine(xdg, "wharf");
        }

        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "wharf", "cache")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "wharf");
    }
}

/// <summary>One progress line per stage, redrawn in place on a terminal; stage changes only when redirected.</summary>
internal sealed class TerminalProgress : IProgress<CollectProgress>
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly object _gate = new();
    private string? _stage;
    private long _lastDraw;

    public void Report(CollectProgress value)
    {
        lock (_gate)
        {
            bool stageChanged = value.Stage != _stage;
            if (stageChanged && _stage is not null && _interactive)
            {
                Console.WriteLine();
            }

            if (stageChanged && !_interactive)
            {
                Console.WriteLine($"{value.Stage}…");
            }

            _stage = value.Stage;
            long now = Environment.TickCount64;
            if (_interactive && (stageChanged || value.Done == value.Total || now - _lastDraw > 100))
            {
                _lastDraw = now;
                Console.Write($"\r{value.Stage,-12} {value.Done,7}/{value.Total}");
            }
        }
    }

    public void Finish()
    {
        if (_interactive && _stage is not null)
        {
            Console.WriteLine();
        }
    }
}
