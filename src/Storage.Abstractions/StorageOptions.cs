namespace Wharf.Storage;

/// <summary>
/// Settings every storage has. Backends derive their options from this class; all of them bind from configuration
/// (<c>Wharf:Storages:{name}</c>) and are validated at start-up by <see cref="Validate"/>.
/// </summary>
public class StorageOptions
{
    /// <summary>The backend that serves the storage, such as <c>FileSystem</c>, <c>S3</c> or <c>AzureBlob</c>.</summary>
    public string? Backend { get; set; }

    /// <summary>
    /// The URL objects are served from, such as <c>/media/</c> or <c>https://cdn.example.com/media/</c>; the
    /// encoded object name is appended. Without it the storage has no public URLs (unless its backend makes them).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Let saves replace objects that have the name (atomically). Off by default: a taken name gets an alternative.</summary>
    public bool Overwrite { get; set; }

    /// <summary>How many names one save tries before giving up (each try is an atomic claim). Default 100.</summary>
    public int MaxNameAttempts { get; set; } = 100;

    /// <summary>
    /// Adds a message for each bad setting. Backends override it, call the base, and name their own keys.
    /// </summary>
    /// <param name="errors">Collects the errors.</param>
    public virtual void Validate(StorageOptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (PublicBaseUrl is { } url && !Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out _))
        {
            errors.Add(nameof(PublicBaseUrl), $"'{url}' is not a URL.");
        }

        if (MaxNameAttempts is < 1 or > 10_000)
        {
            errors.Add(nameof(MaxNameAttempts), $"must be from 1 to 10000; it is {MaxNameAttempts}.");
        }
    }
}

/// <summary>Collects option errors, each named by its configuration key (<c>Wharf:Storages:media:Root</c>).</summary>
public sealed class StorageOptionsErrors
{
    private readonly List<string> _errors = [];

    /// <summary>Creates a collector for keys under <paramref name="keyPrefix"/>.</summary>
    /// <param name="keyPrefix">The configuration path of the storage, such as <c>Wharf:Storages:media</c>.</param>
    public StorageOptionsErrors(string keyPrefix) => KeyPrefix = keyPrefix;

    /// <summary>The configuration path of the storage.</summary>
    public string KeyPrefix { get; }

    /// <summary>The errors so far, each starting with its full key.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Adds an error for a key.</summary>
    /// <param name="key">The option's key below the storage, such as <c>Root</c>.</param>
    /// <param name="message">What is wrong and, where it helps, what to set.</param>
    public void Add(string key, string message) => _errors.Add($"{KeyPrefix}:{key}: {message}");
}
