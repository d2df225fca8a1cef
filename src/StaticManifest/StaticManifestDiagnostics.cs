using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.StaticManifest;

/// <summary>
/// The package's telemetry: an activity per collect (<c>collect</c>, tagged with the destination storage and what
/// was done), the histogram <c>wharf.static.collect.duration</c> (seconds, with <c>error.type</c> on failure) and the
/// counters <c>wharf.static.files.published</c> and <c>wharf.static.files.unmodified</c>, tagged with
/// <c>wharf.storage.name</c>.
/// </summary>
public static class StaticManifestDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Wharf.StaticManifest";

    private static readonly string Version = typeof(StaticManifestDiagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    internal static readonly Histogram<double> CollectDuration = Meter.CreateHistogram<double>(
        "wharf.static.collect.duration", unit: "s", description: "How long collects take.");

    internal static readonly Counter<long> FilesPublished = Meter.CreateCounter<long>(
        "wharf.static.files.published", unit: "{file}", description: "Files uploaded by collects (variants included).");

    internal static readonly Counter<long> FilesUnmodified = Meter.CreateCounter<long>(
        "wharf.static.files.unmodified", unit: "{file}", description: "Files a collect found at the destination already and did not upload.");
}
