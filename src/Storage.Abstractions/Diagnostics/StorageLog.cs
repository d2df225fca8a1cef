using Microsoft.Extensions.Logging;

namespace Wharf.Storage.Diagnostics;

/// <summary>Source-generated log messages of <see cref="StorageBase"/>.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Storage {Storage} saved {ObjectName} ({Length} bytes)")]
    public static partial void Saved(ILogger logger, string storage, string objectName, long length);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Storage {Storage}: the name {ObjectName} is taken; trying {Candidate}")]
    public static partial void NameTaken(ILogger logger, string storage, string objectName, string candidate);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Storage {Storage} deleted {ObjectName}: {Removed}")]
    public static partial void Deleted(ILogger logger, string storage, string objectName, bool removed);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Storage {Storage} {Operation}: {Cause}")]
    public static partial void ExpectedFailure(ILogger logger, string storage, string operation, string cause);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Storage {Storage} {Operation} failed: {Cause}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string storage, string operation, string cause);
}
