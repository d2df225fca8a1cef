using Microsoft.Extensions.Logging;

namespace Wharf.StaticManifest.Serving;

/// <summary>Source-generated log messages of the static asset middleware (event ids 500–599).</summary>
internal static partial class StaticAssetServingLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Static assets: serving {Count} files from {Root} under {RequestPath} (manifest {Manifest})")]
    public static partial void ManifestLoaded(ILogger logger, int count, string root, string requestPath, string manifest);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Static assets: the manifest {Manifest} does not exist; nothing is served until it does")]
    public static partial void ManifestMissing(ILogger logger, string manifest);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Static assets: the manifest {Manifest} cannot be read; the files of the previous one ({Count}) are still served")]
    public static partial void ManifestUnreadable(ILogger logger, Exception exception, string manifest, int count);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Static assets: the manifest entry {StoredPath} is not a safe relative path inside the root; it is not served")]
    public static partial void UnsafeStoredPath(ILogger logger, string storedPath);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Static assets: the {Coding} variant {EncodedPath} of {StoredPath} is unusable (bad coding name, duplicate or unsafe path); it is not served")]
    public static partial void UnusableEncoding(ILogger logger, string storedPath, string coding, string encodedPath);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Static assets: {PhysicalPath} is in the manifest but not on disk")]
    public static partial void FileMissing(ILogger logger, string physicalPath);

    [LoggerMessage(EventId = 506, Level = LogLevel.Error, Message = "Static assets: {PhysicalPath} has {Actual} bytes but the manifest says {Expected}; it is not served until they agree")]
    public static partial void FileSizeMismatch(ILogger logger, string physicalPath, long actual, long expected);

    [LoggerMessage(EventId = 507, Level = LogLevel.Debug, Message = "Static assets: {Path} answered {StatusCode} ({Coding})")]
    public static partial void Served(ILogger logger, string path, int statusCode, string coding);

    [LoggerMessage(EventId = 508, Level = LogLevel.Debug, Message = "Static assets: sending {Path} was cancelled (the client went away)")]
    public static partial void SendCancelled(ILogger logger, string path);

    [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "Static assets: checking the manifest {Manifest} for changes failed")]
    public static partial void ManifestCheckFailed(ILogger logger, Exception exception, string manifest);

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "Static assets: {Folders} folders have an index file {IndexFile} and are served by their own URL")]
    public static partial void IndexFilesFound(ILogger logger, int folders, string indexFile);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Static assets: the index file {LogicalPath} is stored as {StoredPath}, in another folder; it is not used as its folder's index")]
    public static partial void IndexFileElsewhere(ILogger logger, string logicalPath, string storedPath);

    [LoggerMessage(EventId = 512, Level = LogLevel.Debug, Message = "Static assets: {Path} redirected to {Location}")]
    public static partial void Redirected(ILogger logger, string path, string location);
}
