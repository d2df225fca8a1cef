using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Wharf.Storage.DependencyInjection;

/// <summary>
/// What the builder recorded: backends, storages defined in code, and configuration sections that define storages.
/// One instance per service collection; read-only once the container is built.
/// </summary>
internal sealed class StorageRegistry
{
    public const string DefaultSectionPath = "Wharf:Storages";

    public Dictionary<string, BackendRegistration> Backends { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> CodeStorages { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<IConfiguration> Sections { get; } = [];

    /// <summary>Every defined storage with its backend name (null when none is set) and its configuration key.</summary>
    public IReadOnlyDictionary<string, StorageDefinition> GetDefinitions()
    {
        var definitions = new Dictionary<string, StorageDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string backend) in CodeStorages)
        {
            definitions[name] = new StorageDefinition(name, backend, $"{DefaultSectionPath}:{name}", Section: null);
        }

        foreach (IConfiguration section in Sections)
        {
            string path = section is IConfigurationSection s ? s.Path : DefaultSectionPath;
            foreach (IConfigurationSection child in section.GetChildren())
            {
                definitions.TryGetValue(child.Key, out StorageDefinition? fromCode);
                string? backend = child[nameof(StorageOptions.Backend)] ?? fromCode?.Backend;
                definitions[child.Key] = new StorageDefinition(fromCode?.Name ?? child.Key, backend, $"{path}:{child.Key}", child);
            }
        }

        return definitions;
    }
}

/// <summary>One storage as configured.</summary>
internal sealed record StorageDefinition(string Name, string? Backend, string KeyPath, IConfigurationSection? Section);

/// <summary>A backend: its name, and how to make a storage from named options.</summary>
internal abstract class BackendRegistration(string name)
{
    public string Name { get; } = name;

    public abstract StorageOptions GetOptions(IServiceProvider services, string storageName);

    public abstract IStorage Create(IServiceProvider services, string storageName);
}

internal sealed class BackendRegistration<TOptions>(string name, Func<IServiceProvider, string, TOptions, IStorage> factory, Action<StorageValidationContext, TOptions>? validate)
    : BackendRegistration(name)
    where TOptions : StorageOptions
{
    /// <summary>The backend's own check of a storage, run after the options' validation; null when it has none.</summary>
    public Action<StorageValidationContext, TOptions>? Validate { get; } = validate;

    public override StorageOptions GetOptions(IServiceProvider services, string storageName) =>
        services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(storageName);

    public override IStorage Create(IServiceProvider services, string storageName) =>
        factory(services, storageName, (TOptions)GetOptions(services, storageName));
}

/// <summary>Binds a backend's named options from the storage's configuration section, when the storage uses that backend.</summary>
internal sealed class ConfigureStorageFromSections<TOptions>(StorageRegistry registry, string backendName) : IConfigureNamedOptions<TOptions>
    where TOptions : StorageOptions
{
    public void Configure(TOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TOptions options)
    {
        if (string.IsNullOrEmpty(name) || !registry.GetDefinitions().TryGetValue(name, out StorageDefinition? definition)
            || definition.Section is null || !string.Equals(definition.Backend, backendName, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // Unknown keys are errors: a misspelt "Roott" must not silently leave the default in place.
        definition.Section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
    }
}

/// <summary>
/// Runs <see cref="StorageOptions.Validate"/> for each named storage, then its backend's own check (if it has one),
/// naming the bad keys under the storage's configuration path.
/// </summary>
internal sealed class StorageOptionsValidator<TOptions>(StorageRegistry registry, IServiceProvider services) : IValidateOptions<TOptions>
    where TOptions : StorageOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (string.IsNullOrEmpty(name))
        {
            return ValidateOptionsResult.Skip;
        }

        string keyPath = registry.GetDefinitions().TryGetValue(name, out StorageDefinition? definition)
            ? definition.KeyPath
            : $"{StorageRegistry.DefaultSectionPath}:{name}";
        var errors = new StorageOptionsErrors(keyPath);
        options.Validate(errors);

        // The check of the backend that serves this storage: two backends may share an options type.
        if (definition?.Backend is { } backendName && registry.Backends.TryGetValue(backendName, out BackendRegistration? backend)
            && backend is BackendRegistration<TOptions> { Validate: { } validate })
        {
            validate(new StorageValidationContext(definition.Name, services, errors), options);
        }

        return errors.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Errors);
    }
}
