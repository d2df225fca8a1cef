using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.Storage.S3;

/// <summary>
/// Telemetry only the S3 backend has, beside the per-operation telemetry of <c>Wharf.Storage</c>: an activity per
/// multipart upload (<c>multipart_upload</c>), and the counters <c>wharf.storage.s3.conflict_retries</c> (409
/// answers to a conditional write, retried after a back-off) and <c>wharf.storage.s3.parts</c> (parts uploaded),
/// tagged with <c>wharf.storage.name</c>.
/// </summary>
public static class S3Diagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Wharf.Storage.S3";

    private static readonly string Version = typeof(S3Diagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    internal static readonly Counter<long> ConflictRetries = Meter.CreateCounter<long>(
        "wharf.storage.s3.conflict_retries", unit: "{retry}", description: "Conditional writes answered 409 and retried.");

    internal static readonly Counter<long> Parts = Meter.CreateCounter<long>(
        "wharf.storage.s3.parts", unit: "{part}", description: "Multipart upload parts sent.");

    internal static KeyValuePair<string, object?> StorageTag(string storageName) => new("wharf.storage.name", storageName);
}
