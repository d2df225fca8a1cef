using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Wharf.Storage;

namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// Where the manifest of the collected static files is, and how its logical paths become URLs. Bound from
/// <c>Wharf:StaticAssets</c> by <c>AddWharfStaticAssets(configuration)</c> and validated at start-up.
/// </summary>
/// <example>
/// <code language="json">
/// { "Wharf": { "StaticAssets": { "ManifestPath": "/srv/static/staticfiles.json", "BaseUrl": "https://cdn.example.com/static/" } } }
/// { "Wharf": { "StaticAssets": { "Storage": "staticfiles", "BaseUrl": "/static/", "ReloadInterval": "00:01:00" } } }
/// </code>
/// </example>
public sealed class StaticAssetOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionPath = "Wharf:StaticAssets";

    /// <summary>
    /// The prefix of every asset URL: a path (<c>/static/</c>) or an absolute http(s) URL
    /// (<c>https://cdn.example.com/static/</c>). It must end with <c>/</c>. It is used as written: an app under a
    /// path base includes it (<c>/app/static/</c>). Default <c>/static/</c>.
    /// </summary>
    public string? BaseUrl { get; set; } = "/static/";

    /// <summary>
    /// Throw <see cref="StaticAssetNotFoundException"/> for a logical path the manifest does not have (the default,
    /// like Django's <c>manifest_strict</c>, and in every environment). When off, a miss gets the unhashed URL and a
    /// warning logged once per path.
    /// </summary>
    public bool Strict { get; set; } = true;

    /// <summary>
    /// The manifest file, such as <c>/srv/static/staticfiles.json</c>; a folder means its <c>staticfiles.json</c>. A
    /// relative path is resolved against the content root. Set this or <see cref="Storage"/>.
    /// </summary>
    public string? ManifestPath { get; set; }

    /// <summary>The name of the Wharf storage the collected files were published to, such as <c>staticfiles</c>. Set this or <see cref="ManifestPath"/>.</summary>
    public string? Storage { get; set; }

    /// <summary>The manifest's object name in <see cref="Storage"/>. Default <c>staticfiles.json</c>.</summary>
    public string ManifestName { get; set; } = StaticAssetManifest.DefaultName;

    /// <summary>Check the source for a new manifest while the app runs and swap it in. On by default.</summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>
    /// How often the source is checked: a file's time and size (default every 2 seconds, a local stat) or a
    /// storage object's ETag (default every 30 seconds, one HEAD request). At least 10 ms, at most a day.
    /// </summary>
    public TimeSpan? ReloadInterval { get; set; }

    internal static readonly TimeSpan DefaultFileReloadInterval = TimeSpan.FromSeconds(2);

    internal static readonly TimeSpan DefaultStorageReloadInterval = TimeSpan.FromSeconds(30);

    internal static readonly string[] KnownKeys =
        [nameof(BaseUrl), nameof(Strict), nameof(ManifestPath), nameof(Storage), nameof(ManifestName), nameof(ReloadOnChange), nameof(ReloadInterval)];

    internal TimeSpan EffectiveReloadInterval => ReloadInterval ?? (Storage is null ? DefaultFileReloadInterval : DefaultStorageReloadInterval);
}

/// <summary>A configuration section the options were bound from; kept to report unknown keys.</summary>
internal sealed record StaticAssetOptionsSection(IConfigurationSection Section);

/// <summary>Validates <see cref="StaticAssetOptions"/> at start-up with messages that name the configuration keys.</summary>
internal sealed class StaticAssetOptionsValidator(IEnumerable<StaticAssetOptionsSection> sections, IServiceProvider services)
    : IValidateOptions<StaticAssetOptions>
{
    private static string Key(string name) => $"{StaticAssetOptions.SectionPath}:{name}";

    public ValidateOptionsResult Validate(string? name, StaticAssetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();

        // Unknown keys are errors: a misspelt "BaseUri" must not silently leave /static/ in place.
        foreach (IConfigurationSection section in sections.Select(s => s.Section).DistinctBy(s => s.Path, StringComparer.OrdinalIgnoreCase))
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (!StaticAssetOptions.KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add($"{child.Path} is not a setting of the static asset resolver; the settings are {string.Join(", ", StaticAssetOptions.KnownKeys)}.");
                }
            }
        }

        ValidateBaseUrl(options.BaseUrl, errors);
        ValidateSource(options, errors);
        if (options.ReloadInterval is { } interval && (interval < TimeSpan.FromMilliseconds(10) || interval > TimeSpan.FromDays(1)))
        {
            errors.Add($"{Key(nameof(options.ReloadInterval))} is {interval}; it must be between 00:00:00.010 and 1.00:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void ValidateBaseUrl(string? baseUrl, List<string> errors)
    {
        string key = Key(nameof(StaticAssetOptions.BaseUrl));
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            errors.Add($"{key} is required: the URL prefix of the collected files, such as /static/ or https://cdn.example.com/static/.");
            return;
        }

        if (baseUrl.AsSpan().ContainsAny(" \t\r\n\0\"'<>\\"))
        {
            errors.Add($"{key} '{baseUrl}' contains a space, quote, angle bracket, backslash or control character.");
        }
        else if (baseUrl.AsSpan().ContainsAny('?', '#'))
        {
            errors.Add($"{key} '{baseUrl}' has a query or fragment; asset URLs are the base URL followed by the stored path.");
        }
        else if (baseUrl.StartsWith("//", StringComparison.Ordinal))
        {
            errors.Add($"{key} '{baseUrl}' is protocol-relative; write the scheme (https:{baseUrl}).");
        }
        else if (baseUrl.StartsWith("~/", StringComparison.Ordinal))
        {
            errors.Add($"{key} '{baseUrl}': '~/' is not expanded; write the path as the browser sees it, path base included (/app/static/).");
        }
        else if (!baseUrl.StartsWith('/')
            && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0))
        {
            errors.Add($"{key} '{baseUrl}' must be a path starting with '/' (/static/) or an absolute http(s) URL (https://cdn.example.com/static/).");
        }
        else if (!baseUrl.EndsWith('/'))
        {
            errors.Add($"{key} '{baseUrl}' must end with '/' ({baseUrl}/).");
        }
    }

    private void ValidateSource(StaticAssetOptions options, List<string> errors)
    {
        string pathKey = Key(nameof(options.ManifestPath));
        string storageKey = Key(nameof(options.Storage));
        bool hasPath = !string.IsNullOrWhiteSpace(options.ManifestPath);
        bool hasStorage = !string.IsNullOrWhiteSpace(options.Storage);
        if (hasPath == hasStorage)
        {
            errors.Add(hasPath
                ? $"{pathKey} and {storageKey} are both set; set one: the manifest file, or the Wharf storage it was published to."
                : $"Set {pathKey} (the staticfiles.json file) or {storageKey} (the Wharf storage the collected files were published to).");
            return;
        }

        if (hasPath)
        {
            if (options.ManifestPath!.AsSpan().ContainsAny('\0', '\n'))
            {
                errors.Add($"{pathKey} contains a NUL or newline character.");
            }

            if (options.ManifestName != StaticAssetManifest.DefaultName)
            {
                errors.Add($"{Key(nameof(options.ManifestName))} applies only with {storageKey}; put the file name in {pathKey}.");
            }

            return;
        }

        if (ObjectName.GetProblem(options.ManifestName ?? string.Empty) is { } problem)
        {
            errors.Add($"{Key(nameof(options.ManifestName))} '{options.ManifestName}' is not an object name: {problem}");
        }

        var storages = (IStorageProvider?)services.GetService(typeof(IStorageProvider));
        if (storages is null)
        {
            errors.Add($"{storageKey} is '{options.Storage}' but no Wharf storages are registered; call AddWharfStorage(configuration) and define the storage.");
        }
        else if (!storages.StorageNames.Contains(options.Storage!, StringComparer.OrdinalIgnoreCase))
        {
            string known = storages.StorageNames.Count == 0 ? "none" : string.Join(", ", storages.StorageNames.Order(StringComparer.Ordinal));
            errors.Add($"{storageKey} is '{options.Storage}', which is not a configured storage (configured: {known}).");
        }
    }
}
