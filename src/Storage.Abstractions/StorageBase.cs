using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Storage.Diagnostics;
using Wharf.Storage.Internal;

namespace Wharf.Storage;

/// <summary>
/// The base of storage backends. It validates names and options, runs the race-free save loop over
/// <see cref="IStagedObject"/>, maps failures to the typed <see cref="StorageException"/>s and emits logs, traces
/// and metrics; a backend implements the <c>…Core</c> members.
/// </summary>
/// <remarks>
/// Third-party backends derive from this class exactly as Wharf's own do, and check themselves with the
/// conformance suite in <c>Wharf.Storage.Testing</c>.
/// </remarks>
public abstract class StorageBase : IStorage, IAsyncDisposable, IDisposable
{
    private const int MaxMetadataBytes = 2048;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates the base.</summary>
    /// <param name="name">The storage's name.</param>
    /// <param name="options">The storage's options (already validated).</param>
    /// <param name="logger">The logger, if any.</param>
    protected StorageBase(string name, StorageOptions options, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The backend's name, such as <c>FileSystem</c>; a telemetry tag.</summary>
    public abstract string BackendName { get; }

    /// <inheritdoc/>
    public abstract StorageCapabilities Capabilities { get; }

    /// <summary>The storage's options.</summary>
    protected StorageOptions Options { get; }

    /// <summary>The storage's logger.</summary>
    protected ILogger Logger => _logger;

    /// <inheritdoc/>
    public async ValueTask<SaveResult> SaveAsync(string name, Stream content, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(content);
        Operation operation = Begin(OperationNames.Save, name);
        var guardedContent = new ContentReadStream(content);
        try
        {
            string validName = ValidateName(name);
            StagingRequest request = CreateStagingRequest(validName, options);
            StorageCapabilities capabilities = Capabilities;
            var limits = new AvailableName.NameLimits(options?.MaxNameLength, capabilities.MaxNameBytes, capabilities.MaxSegmentBytes);
            bool overwrite = options?.Overwrite ?? Options.Overwrite;

            // The first candidate is the name itself when it fits the caller's limit; otherwise, as in Django, an
            // alternative (shortened, and suffixed unless the caller overwrites).
            string candidate = limits.Fits(validName, ObjectName.Split(validName).Folder.Length)
                ? validName
                : ValidateName(AvailableName.CreateCandidate(Name, validName, addSuffix: !overwrite, limits));

            IStagedObject staged = await StageAsync(guardedContent, request, cancellationToken).ConfigureAwait(false);
            await using (staged.ConfigureAwait(false))
            {
                for (int attempt = 1; ; attempt++)
                {
                    SaveResult? result = await staged.TryCommitAsync(candidate, overwrite, cancellationToken).ConfigureAwait(false);
                    if (result is not null)
                    {
                        Succeed(operation);
                        if (StorageDiagnostics.Bytes.Enabled)
                        {
                            StorageDiagnostics.Bytes.Add(result.Length, CreateTags(OperationNames.Save, direction: "write"));
                        }

                        StorageLog.Saved(_logger, Name, result.Name, result.Length);
                        return result;
                    }

                    if (overwrite)
                    {
                        throw new StorageConflictException(Name, candidate, "the backend could not replace the object, although overwrite was asked for.");
                    }

                    if (attempt >= Options.MaxNameAttempts)
                    {
                        throw new ObjectNameUnavailableException(Name, name,
                            $"the name and its alternatives were taken {attempt} times in a row; gave up after {attempt} tries (MaxNameAttempts).");
                    }

                    if (StorageDiagnostics.NameCollisions.Enabled)
                    {
                        StorageDiagnostics.NameCollisions.Add(1, CreateTags(OperationNames.Save));
                    }

                    string next = ValidateName(AvailableName.CreateCandidate(Name, validName, addSuffix: true, limits));
                    StorageLog.NameTaken(_logger, Name, candidate, next);
                    candidate = next;
                }
            }
        }
        catch (Exception exception) when (Fail(operation, exception, name, guardedContent.Failure) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        Operation operation = Begin(OperationNames.Open, name);
        try
        {
            string validName = ValidateName(name);
            Stream stream = await OpenReadCoreAsync(validName, range, cancellationToken).ConfigureAwait(false)
                ?? throw new ObjectNotFoundException(Name, name);
            Succeed(operation);
            return StorageDiagnostics.Bytes.Enabled
                ? new CountingReadStream(stream, CreateTags(OperationNames.Open, direction: "read"))
                : stream;
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<StorageObjectInfo> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        Operation operation = Begin(OperationNames.Info, name);
        try
        {
            string validName = ValidateName(name);
            StorageObjectInfo info = await GetInfoCoreAsync(validName, cancellationToken).ConfigureAwait(false)
                ?? throw new ObjectNotFoundException(Name, name);
            Succeed(operation);
            return info;
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        Operation operation = Begin(OperationNames.Exists, name);
        try
        {
            bool exists = await ExistsCoreAsync(ValidateName(name), cancellationToken).ConfigureAwait(false);
            Succeed(operation);
            return exists;
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        Operation operation = Begin(OperationNames.Delete, name);
        try
        {
            bool removed = await DeleteCoreAsync(ValidateName(name), cancellationToken).ConfigureAwait(false);
            Succeed(operation);
            StorageLog.Deleted(_logger, Name, name, removed);
            return removed;
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<StorageEntry> ListAsync(string? prefix = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked here, when the caller asks, not later at the first MoveNextAsync.
        string validPrefix = ValidatePrefix(prefix ?? string.Empty);
        options ??= DefaultListOptions;
        if (options.PageSizeHint is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PageSizeHint, "ListOptions.PageSizeHint must be from 1 to 5000.");
        }

        return ListIteratorAsync(validPrefix, options, cancellationToken);
    }

    private static readonly ListOptions DefaultListOptions = new();

    private async IAsyncEnumerable<StorageEntry> ListIteratorAsync(string prefix, ListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Operation operation = Begin(OperationNames.List, prefix);
        IAsyncEnumerator<StorageEntry> entries = ListCoreAsync(prefix, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await entries.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception exception) when (Fail(operation, exception, prefix) is var mapped)
                {
                    if (mapped is null)
                    {
                        throw;
                    }

                    throw mapped;
                }

                yield return entries.Current;
            }

            Succeed(operation);
        }
        finally
        {
            await entries.DisposeAsync().ConfigureAwait(false);
            operation.Activity?.Dispose();
        }
    }

    /// <inheritdoc/>
    public Uri GetPublicUrl(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string validName = ValidateName(name);
        return GetPublicUrlCore(validName)
            ?? throw new StorageNotSupportedException(Name, name, $"the storage has no public URLs; set {nameof(StorageOptions.PublicBaseUrl)} or check Capabilities.PublicUrls first.");
    }

    /// <inheritdoc/>
    public async ValueTask<Uri> GetSignedUrlAsync(string name, SignedUrlOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new SignedUrlOptions();
        if (options.ExpiresIn is { } expiresIn && expiresIn <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), expiresIn, "SignedUrlOptions.ExpiresIn must be positive.");
        }

        CheckHeaderValue(options.ResponseContentDisposition, nameof(SignedUrlOptions.ResponseContentDisposition), name);
        CheckHeaderValue(options.ResponseContentType, nameof(SignedUrlOptions.ResponseContentType), name);
        if (!Capabilities.SignedUrls)
        {
            throw new StorageNotSupportedException(Name, name, "the storage cannot sign URLs; check Capabilities.SignedUrls first.");
        }

        Operation operation = Begin(OperationNames.SignUrl, name);
        try
        {
            Uri url = await GetSignedUrlCoreAsync(ValidateName(name), options, cancellationToken).ConfigureAwait(false);
            Succeed(operation);
            return url;
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask SetVisibilityAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Enum.IsDefined(visibility))
        {
            throw new ArgumentOutOfRangeException(nameof(visibility), visibility, "Unknown visibility.");
        }

        if (!Capabilities.Visibility)
        {
            throw new StorageNotSupportedException(Name, name, "the storage has no per-object visibility; check Capabilities.Visibility first.");
        }

        Operation operation = Begin(OperationNames.SetVisibility, name);
        try
        {
            await SetVisibilityCoreAsync(ValidateName(name), visibility, cancellationToken).ConfigureAwait(false);
            Succeed(operation);
        }
        catch (Exception exception) when (Fail(operation, exception, name) is var mapped)
        {
            if (mapped is null)
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc/>
    public string? GetLocalPath(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return GetLocalPathCore(ValidateName(name));
    }

    /// <summary>
    /// Checks a name and returns it normalised. Backends override it to add their own rules (and call the base).
    /// </summary>
    /// <exception cref="InvalidObjectNameException">The name breaks a rule.</exception>
    protected virtual string ValidateName(string name)
    {
        StorageCapabilities capabilities = Capabilities;
        return ObjectName.Validate(Name, name, capabilities.MaxNameBytes, capabilities.MaxSegmentBytes);
    }

    /// <summary>Receives the content of a save once, ready to be committed under candidate names.</summary>
    /// <param name="content">The caller's stream, read once from its position to its end.</param>
    /// <param name="request">The checked options of the save.</param>
    /// <param name="cancellationToken">Cancels staging.</param>
    protected abstract ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken);

    /// <summary>Opens an object, or returns <see langword="null"/> when there is none.</summary>
    protected abstract ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken);

    /// <summary>Reads an object's information, or returns <see langword="null"/> when there is none.</summary>
    protected abstract ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>Tells whether an object exists; by default through <see cref="GetInfoCoreAsync"/>.</summary>
    protected virtual async ValueTask<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        await GetInfoCoreAsync(name, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Deletes an object; <see langword="true"/> when one was removed.</summary>
    protected abstract ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>Lists entries below a prefix (already checked), in ascending ordinal order.</summary>
    protected abstract IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, CancellationToken cancellationToken);

    /// <summary>The public URL of an object, or <see langword="null"/> when there is none; by default from <see cref="StorageOptions.PublicBaseUrl"/>.</summary>
    protected virtual Uri? GetPublicUrlCore(string name) =>
        Options.PublicBaseUrl is { } baseUrl ? StorageUrls.Combine(baseUrl, name) : null;

    /// <summary>Signs a read URL. Called only when <see cref="StorageCapabilities.SignedUrls"/> is on.</summary>
    protected virtual ValueTask<Uri> GetSignedUrlCoreAsync(string name, SignedUrlOptions options, CancellationToken cancellationToken) =>
        throw new StorageNotSupportedException(Name, name, "the storage cannot sign URLs.");

    /// <summary>Sets an object's visibility. Called only when <see cref="StorageCapabilities.Visibility"/> is on.</summary>
    protected virtual ValueTask SetVisibilityCoreAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken) =>
        throw new StorageNotSupportedException(Name, name, "the storage has no per-object visibility.");

    /// <summary>The local path of an object, or <see langword="null"/>; by default none.</summary>
    protected virtual string? GetLocalPathCore(string name) => null;

    /// <summary>
    /// Maps a backend exception to a typed <see cref="StorageException"/>. The default makes
    /// <see cref="UnauthorizedAccessException"/> access denied and everything else unavailable; backends override it
    /// for their SDK's errors and keep the backend's error code.
    /// </summary>
    /// <param name="exception">The backend's exception.</param>
    /// <param name="objectName">The object concerned, as the caller gave it, if any.</param>
    protected virtual StorageException TranslateException(Exception exception, string? objectName)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            UnauthorizedAccessException => new StorageAccessDeniedException(Name, objectName, $"access denied: {exception.Message}", innerException: exception),
            _ => new StorageUnavailableException(Name, objectName, $"the backend failed: {exception.Message}", innerException: exception),
        };
    }

    /// <summary>Releases what the backend holds. Called once.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await DisposeAsyncCore().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        }

        GC.SuppressFinalize(this);
    }

    private string ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return prefix;
        }

        // A prefix is a name that may end in '/' or stop part-way through a segment: it is valid when a name
        // continuing it would be.
        string probe = prefix.EndsWith('/') || prefix.EndsWith('\\') ? prefix + "x" : prefix;
        string validProbe = ValidateName(probe);
        return ReferenceEquals(probe, prefix) ? validProbe : validProbe[..^1];
    }

    private StagingRequest CreateStagingRequest(string name, SaveOptions? options)
    {
        CheckHeaderValue(options?.ContentType, nameof(SaveOptions.ContentType), name);
        CheckHeaderValue(options?.CacheControl, nameof(SaveOptions.CacheControl), name);
        if (options?.ContentType is { } type && (!type.Contains('/', StringComparison.Ordinal) || type.StartsWith('/')))
        {
            throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': the content type '{type}' is not a media type such as 'image/png'.", nameof(options));
        }

        if (options?.MaxNameLength is < 1)
        {
            throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': SaveOptions.MaxNameLength must be positive.", nameof(options));
        }

        IReadOnlyDictionary<string, string> metadata = StorageObjectInfo.EmptyMetadata;
        if (options?.Metadata is { Count: > 0 } given)
        {
            var normalised = new Dictionary<string, string>(given.Count, StringComparer.OrdinalIgnoreCase);
            int bytes = 0;
            foreach ((string key, string value) in given)
            {
                if (!IsMetadataKey(key))
                {
                    throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': the metadata key '{ObjectName.Quote(key)}' is not an ASCII identifier ([A-Za-z_][A-Za-z0-9_]*), which every backend can store.", nameof(options));
                }

                if (value is null || value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
                {
                    throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': the value of metadata key '{key}' must be printable ASCII, which every backend can store.", nameof(options));
                }

                if (!normalised.TryAdd(key.ToLowerInvariant(), value))
                {
                    throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': the metadata key '{key}' is given twice (keys are compared without case).", nameof(options));
                }

                bytes += key.Length + value.Length;
            }

            if (bytes > MaxMetadataBytes)
            {
                throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': the metadata takes {bytes} bytes; at most {MaxMetadataBytes} can be stored by every backend.", nameof(options));
            }

            metadata = normalised;
        }

        return new StagingRequest(name, options?.ContentType ?? ContentTypes.FromName(name), options?.CacheControl, metadata);
    }

    private static bool IsMetadataKey(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_')
        && !key.AsSpan().ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private void CheckHeaderValue(string? value, string option, string name)
    {
        if (value is not null && (value.Length == 0 || value.AsSpan().ContainsAnyExceptInRange(' ', '~')))
        {
            throw new ArgumentException($"Storage '{Name}', object '{ObjectName.Quote(name)}': {option} must be non-empty printable ASCII (it becomes an HTTP header).", option);
        }
    }

    private Operation Begin(string operation, string objectName)
    {
        Activity? activity = null;
        if (StorageDiagnostics.ActivitySource.HasListeners())
        {
            activity = StorageDiagnostics.ActivitySource.StartActivity(operation, ActivityKind.Internal);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(TagNames.Storage, Name);
                activity.SetTag(TagNames.Backend, BackendName);
                activity.SetTag(TagNames.ObjectName, objectName);
            }
        }

        return new Operation(operation, activity, Stopwatch.GetTimestamp());
    }

    private void Succeed(in Operation operation)
    {
        if (StorageDiagnostics.OperationDuration.Enabled)
        {
            StorageDiagnostics.OperationDuration.Record(Stopwatch.GetElapsedTime(operation.Started).TotalSeconds, CreateTags(operation.Name));
        }

        operation.Activity?.Dispose();
    }

    /// <summary>Records a failure and returns the exception to throw instead, or null to rethrow the original.</summary>
    /// <param name="operation">The failed operation.</param>
    /// <param name="exception">What was thrown.</param>
    /// <param name="objectName">The object concerned.</param>
    /// <param name="contentFailure">What the caller's own content stream threw during a save, if anything: such an
    /// error is the caller's (a dropped upload), not the storage's, so it is rethrown as it is.</param>
    private StorageException? Fail(in Operation operation, Exception exception, string? objectName, Exception? contentFailure = null)
    {
        StorageException? mapped = exception is StorageException or OperationCanceledException or ArgumentException or ObjectDisposedException
            || ReferenceEquals(exception, contentFailure)
            ? null
            : TranslateException(exception, objectName);
        Exception reported = mapped ?? exception;
        string errorType = reported.GetType().Name;

        if (StorageDiagnostics.OperationDuration.Enabled)
        {
            TagList tags = CreateTags(operation.Name);
            tags.Add(TagNames.ErrorType, errorType);
            StorageDiagnostics.OperationDuration.Record(Stopwatch.GetElapsedTime(operation.Started).TotalSeconds, tags);
        }

        if (operation.Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, reported.Message);
            activity.SetTag(TagNames.ErrorType, errorType);
            activity.Dispose();
        }

        if (reported is ObjectNotFoundException or InvalidObjectNameException or StorageConflictException or OperationCanceledException or ArgumentException or StorageNotSupportedException)
        {
            StorageLog.ExpectedFailure(_logger, Name, operation.Name, reported.Message);
        }
        else
        {
            StorageLog.OperationFailed(_logger, reported, Name, operation.Name, reported.Message);
        }

        return mapped;
    }

    private TagList CreateTags(string operation, string? direction = null)
    {
        var tags = new TagList
        {
            { TagNames.Storage, Name },
            { TagNames.Backend, BackendName },
            { TagNames.Operation, operation },
        };
        if (direction is not null)
        {
            tags.Add(TagNames.Direction, direction);
        }

        return tags;
    }

    private readonly record struct Operation(string Name, Activity? Activity, long Started);

    private static class OperationNames
    {
        public const string Save = "save";
        public const string Open = "open";
        public const string Info = "info";
        public const string Exists = "exists";
        public const string Delete = "delete";
        public const string List = "list";
        public const string SignUrl = "sign_url";
        public const string SetVisibility = "set_visibility";
    }

    private static class TagNames
    {
        public const string Storage = "wharf.storage.name";
        public const string Backend = "wharf.storage.backend";
        public const string Operation = "wharf.storage.operation";
        public const string Direction = "wharf.storage.direction";
        public const string ObjectName = "wharf.storage.object";
        public const string ErrorType = "error.type";
    }
}
