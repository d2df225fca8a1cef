namespace Wharf.Storage;

/// <summary>
/// The base of every error a storage raises. It names the storage, the object (when there is one) and the cause;
/// the backend's own exception, if any, is the <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>It derives from <see cref="IOException"/> so that code catching I/O failures keeps working.</remarks>
public class StorageException : IOException
{
    /// <summary>Creates a storage error.</summary>
    /// <param name="storageName">The storage's name.</param>
    /// <param name="objectName">The object concerned, or <see langword="null"/>.</param>
    /// <param name="cause">What went wrong, in a sentence without the storage and object names (they are added).</param>
    /// <param name="errorCode">The backend's error code (such as S3's <c>AccessDenied</c>), if any.</param>
    /// <param name="innerException">The backend's exception, if any.</param>
    public StorageException(string storageName, string? objectName, string cause, string? errorCode = null, Exception? innerException = null)
        : base(Format(storageName, objectName, cause, errorCode), innerException)
    {
        StorageName = storageName;
        ObjectName = objectName;
        Cause = cause;
        ErrorCode = errorCode;
    }

    /// <summary>The storage's name.</summary>
    public string StorageName { get; }

    /// <summary>The object concerned, exactly as the caller gave it, or <see langword="null"/>.</summary>
    public string? ObjectName { get; }

    /// <summary>What went wrong.</summary>
    public string Cause { get; }

    /// <summary>The backend's error code, if any.</summary>
    public string? ErrorCode { get; }

    private static string Format(string storageName, string? objectName, string cause, string? errorCode)
    {
        string subject = objectName is null
            ? $"Storage '{storageName}'"
            : $"Storage '{storageName}', object '{Wharf.Storage.ObjectName.Quote(objectName)}'";
        return errorCode is null ? $"{subject}: {cause}" : $"{subject}: {cause} (error code {errorCode})";
    }
}

/// <summary>An object name breaks the name rules; <see cref="StorageException.ObjectName"/> is the rejected input.</summary>
public sealed class InvalidObjectNameException : StorageException
{
    /// <summary>Creates the error.</summary>
    public InvalidObjectNameException(string storageName, string objectName, string cause, Exception? innerException = null)
        : base(storageName, objectName, cause, errorCode: null, innerException)
    {
    }
}

/// <summary>There is no object with the name.</summary>
public sealed class ObjectNotFoundException : StorageException
{
    /// <summary>Creates the error.</summary>
    public ObjectNotFoundException(string storageName, string objectName, string? errorCode = null, Exception? innerException = null)
        : base(storageName, objectName, "no such object.", errorCode, innerException)
    {
    }
}

/// <summary>The operation conflicts with what the storage holds (a name that is taken, a file where a folder must go, a concurrent write).</summary>
public class StorageConflictException : StorageException
{
    /// <summary>Creates the error.</summary>
    public StorageConflictException(string storageName, string? objectName, string cause, string? errorCode = null, Exception? innerException = null)
        : base(storageName, objectName, cause, errorCode, innerException)
    {
    }
}

/// <summary>A save found no available name within its bounded number of tries, or the name cannot be shortened to fit.</summary>
public sealed class ObjectNameUnavailableException : StorageConflictException
{
    /// <summary>Creates the error.</summary>
    public ObjectNameUnavailableException(string storageName, string objectName, string cause)
        : base(storageName, objectName, cause)
    {
    }
}

/// <summary>The credentials are wrong or lack the permission, or the object lies outside what the storage may reach.</summary>
public sealed class StorageAccessDeniedException : StorageException
{
    /// <summary>Creates the error.</summary>
    public StorageAccessDeniedException(string storageName, string? objectName, string cause, string? errorCode = null, Exception? innerException = null)
        : base(storageName, objectName, cause, errorCode, innerException)
    {
    }
}

/// <summary>The storage could not be reached or failed (server fault, network, disk full). Retrying later may succeed.</summary>
public sealed class StorageUnavailableException : StorageException
{
    /// <summary>Creates the error.</summary>
    public StorageUnavailableException(string storageName, string? objectName, string cause, string? errorCode = null, Exception? innerException = null)
        : base(storageName, objectName, cause, errorCode, innerException)
    {
    }
}

/// <summary>The storage lacks the capability the call needs; check <see cref="IStorage.Capabilities"/> first.</summary>
public sealed class StorageNotSupportedException : StorageException
{
    /// <summary>Creates the error.</summary>
    public StorageNotSupportedException(string storageName, string? objectName, string cause)
        : base(storageName, objectName, cause)
    {
    }
}
