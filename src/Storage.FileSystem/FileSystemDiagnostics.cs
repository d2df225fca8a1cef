using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// Telemetry only the file-system backend has, beside the per-operation telemetry of <c>Wharf.Storage</c>:
/// an activity for temp-file sweeps, and the metrics <c>wharf.storage.filesystem.flush.duration</c> (histogram,
/// seconds: the fsync that makes each save durable, usually most of its time) and
/// <c>wharf.storage.filesystem.temp_files.swept</c> (counter), tagged with <c>wharf.storage.name</c>.
/// </summary>
public static class FileSystemDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Wharf.Storage.FileSystem";

    private static readonly string Version = typeof(FileSystemDiagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    internal static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "wharf.storage.filesystem.flush.duration", unit: "s", description: "Time spent flushing saved files to the disk.");

    internal static readonly Counter<long> TempFilesSwept = Meter.CreateCounter<long>(
        "wharf.storage.filesystem.temp_files.swept", unit: "{file}", description: "Stale temp files deleted by sweeps.");
}
