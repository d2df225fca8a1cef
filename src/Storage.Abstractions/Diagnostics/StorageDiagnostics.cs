using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.Storage.Diagnostics;

/// <summary>
/// The names of the telemetry every storage emits through <see cref="StorageBase"/>: one activity per operation and
/// the metrics below, tagged with the storage's name and backend.
/// </summary>
/// <remarks>
/// Metrics: <c>wharf.storage.operation.duration</c> (histogram, seconds; tags <c>wharf.storage.name</c>,
/// <c>wharf.storage.backend</c>, <c>wharf.storage.operation</c>, and <c>error.type</c> on failure),
/// <c>wharf.storage.bytes</c> (counter, bytes; tag <c>wharf.storage.direction</c> = <c>write</c> or <c>read</c>) and
/// <c>wharf.storage.name.collisions</c> (counter: taken names a save stepped past).
/// </remarks>
public static class StorageDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Wharf.Storage";

    internal static readonly string Version = typeof(StorageDiagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0";
    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "wharf.storage.operation.duration", unit: "s", description: "Duration of storage operations.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    internal static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "wharf.storage.bytes", unit: "By", description: "Bytes written by saves and read through opened streams.");

    internal static readonly Counter<long> NameCollisions = Meter.CreateCounter<long>(
        "wharf.storage.name.collisions", unit: "{name}", description: "Taken names a save stepped past to an alternative.");
}
