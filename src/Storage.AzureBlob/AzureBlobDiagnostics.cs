using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.Storage.AzureBlob;

/// <summary>
/// Telemetry only the Azure Blob backend has, beside the per-operation telemetry of <c>Wharf.Storage</c>: an activity
/// per block upload (<c>block_upload</c>) and the counter <c>wharf.storage.azureblob.blocks</c> (blocks staged),
/// tagged with <c>wharf.storage.name</c>. Azure.Core's own request logging and tracing (source <c>Azure.Core</c>)
/// is configured through <see cref="AzureBlobStorageOptions.ConfigureClient"/>.
/// </summary>
public static class AzureBlobDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Wharf.Storage.AzureBlob";

    private static readonly string Version = typeof(AzureBlobDiagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    internal static readonly Counter<long> Blocks = Meter.CreateCounter<long>(
        "wharf.storage.azureblob.blocks", unit: "{block}", description: "Blocks staged by block uploads.");

    internal static KeyValuePair<string, object?> StorageTag(string storageName) => new("wharf.storage.name", storageName);
}
