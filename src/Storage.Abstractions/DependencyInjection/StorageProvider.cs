using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Wharf.Storage.DependencyInjection;

/// <summary>Creates each configured storage once, on first use, and disposes them with the container.</summary>
internal sealed class StorageProvider(IServiceProvider services, StorageRegistry registry) : IStorageProvider, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IStorage>> _storages = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyDictionary<string, StorageDefinition>? _definitions;

    private IReadOnlyDictionary<string, StorageDefinition> Definitions => _definitions ??= registry.GetDefinitions();

    public IReadOnlyCollection<string> StorageNames => Definitions.Values.Select(d => d.Name).ToArray();

    public IStorage GetStorage(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGetStorage(name, out IStorage? storage)
            ? storage
            : throw new InvalidOperationException(
                $"No storage named '{name}' is configured. Configured storages: {(Definitions.Count == 0 ? "none" : string.Join(", ", StorageNames))}. " +
                $"Define it under '{StorageRegistry.DefaultSectionPath}:{name}' (with a Backend) or with the storage builder, e.g. AddFileSystem(\"{name}\", ...).");
    }

    public bool TryGetStorage(string name, [NotNullWhen(true)] out IStorage? storage)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Definitions.TryGetValue(name, out StorageDefinition? definition))
        {
            storage = null;
            return false;
        }

        storage = _storages.GetOrAdd(definition.Name, _ => new Lazy<IStorage>(() => Create(definition))).Value;
        return true;
    }

    private IStorage Create(StorageDefinition definition)
    {
        if (definition.Backend is null)
        {
            throw new InvalidOperationException($"{definition.KeyPath}:Backend: is required; registered backends: {Describe(registry.Backends.Keys)}.");
        }

        if (!registry.Backends.TryGetValue(definition.Backend, out BackendRegistration? backend))
        {
            throw new InvalidOperationException(
                $"{definition.KeyPath}:Backend: no backend named '{definition.Backend}' is registered; registered backends: {Describe(registry.Backends.Keys)}. " +
                "Reference the backend's package and register it on the storage builder (for example AddFileSystem()).");
        }

        return backend.Create(services, definition.Name);
    }

    internal static string Describe(IEnumerable<string> names)
    {
        string list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Lazy<IStorage> storage in _storages.Values.Where(s => s.IsValueCreated))
        {
            switch (storage.Value)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    public void Dispose()
    {
        foreach (Lazy<IStorage> storage in _storages.Values.Where(s => s.IsValueCreated))
        {
            (storage.Value as IDisposable)?.Dispose();
        }
    }
}

/// <summary>A marker whose start-up validation checks every configured storage.</summary>
internal sealed class StorageStartupCheck;

/// <summary>Checks at start-up that every storage has a known backend and valid options, reporting all problems at once.</summary>
internal sealed class StorageStartupValidator(IServiceProvider services, StorageRegistry registry) : Microsoft.Extensions.Options.IValidateOptions<StorageStartupCheck>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, StorageStartupCheck options)
    {
        var failures = new List<string>();
        foreach (StorageDefinition definition in registry.GetDefinitions().Values)
        {
            if (definition.Backend is null)
            {
                failures.Add($"{definition.KeyPath}:Backend: is required; registered backends: {StorageProvider.Describe(registry.Backends.Keys)}.");
                continue;
            }

            if (!registry.Backends.TryGetValue(definition.Backend, out BackendRegistration? backend))
            {
                failures.Add($"{definition.KeyPath}:Backend: no backend named '{definition.Backend}' is registered; registered backends: {StorageProvider.Describe(registry.Backends.Keys)}.");
                continue;
            }

            try
            {
                backend.GetOptions(services, definition.Name);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException exception)
            {
                failures.AddRange(exception.Failures);
            }
            catch (InvalidOperationException exception)
            {
                // The configuration binder's errors (unknown keys, values of the wrong type) name the key already.
                failures.Add($"{definition.KeyPath}: {exception.Message}");
            }
        }

        return failures.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
