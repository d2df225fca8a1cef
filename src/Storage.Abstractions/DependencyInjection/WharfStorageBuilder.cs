using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Wharf.Storage;
using Wharf.Storage.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers storage backends and named storages. Backend packages add extension methods to it
/// (<c>AddFileSystem()</c>), built on <see cref="AddBackend{TOptions}(string, Func{IServiceProvider, string, TOptions, IStorage})"/> exactly as a third-party backend would be.
/// </summary>
public sealed class WharfStorageBuilder
{
    private readonly StorageRegistry _registry;

    internal WharfStorageBuilder(IServiceCollection services, StorageRegistry registry)
    {
        Services = services;
        _registry = registry;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Defines storages from a configuration section whose children are storages: <c>{name}:Backend</c> picks the
    /// backend and the other keys bind to that backend's options. Unknown keys are errors.
    /// </summary>
    /// <param name="storagesSection">Usually <c>configuration.GetSection("Wharf:Storages")</c>.</param>
    public WharfStorageBuilder BindConfiguration(IConfiguration storagesSection)
    {
        ArgumentNullException.ThrowIfNull(storagesSection);
        _registry.Sections.Add(storagesSection);
        return this;
    }

    /// <summary>Registers a backend under a name that storages refer to in their <c>Backend</c> key. Idempotent.</summary>
    /// <typeparam name="TOptions">The backend's options, bound per storage as named options.</typeparam>
    /// <param name="backendName">The backend's name, such as <c>FileSystem</c>.</param>
    /// <param name="factory">Makes a storage from the service provider, the storage's name and its validated options.</param>
    public WharfStorageBuilder AddBackend<TOptions>(string backendName, Func<IServiceProvider, string, TOptions, IStorage> factory)
        where TOptions : StorageOptions, new() =>
        AddBackendCore(backendName, factory, validate: null);

    /// <summary>
    /// Registers a backend, as <see cref="AddBackend{TOptions}(string, Func{IServiceProvider, string, TOptions, IStorage})"/>,
    /// with a start-up check of each of its storages beyond <see cref="StorageOptions.Validate"/>: what the options
    /// alone cannot tell, such as a service the host must register. Idempotent: the first registration's check stays.
    /// </summary>
    /// <typeparam name="TOptions">The backend's options, bound per storage as named options.</typeparam>
    /// <param name="backendName">The backend's name, such as <c>AzureBlob</c>.</param>
    /// <param name="factory">Makes a storage from the service provider, the storage's name and its validated options.</param>
    /// <param name="validate">
    /// Checks one storage of this backend, after its options' own validation, and adds errors to
    /// <see cref="StorageValidationContext.Errors"/>, named under the storage's real configuration path
    /// (<see cref="StorageValidationContext.KeyPath"/>). They fail start-up with every other storage's errors.
    /// </param>
    public WharfStorageBuilder AddBackend<TOptions>(string backendName, Func<IServiceProvider, string, TOptions, IStorage> factory, Action<StorageValidationContext, TOptions> validate)
        where TOptions : StorageOptions, new()
    {
        ArgumentNullException.ThrowIfNull(validate);
        return AddBackendCore(backendName, factory, validate);
    }

    private WharfStorageBuilder AddBackendCore<TOptions>(string backendName, Func<IServiceProvider, string, TOptions, IStorage> factory, Action<StorageValidationContext, TOptions>? validate)
        where TOptions : StorageOptions, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backendName);
        ArgumentNullException.ThrowIfNull(factory);
        if (_registry.Backends.TryGetValue(backendName, out BackendRegistration? existing))
        {
            if (existing is not BackendRegistration<TOptions>)
            {
                throw new InvalidOperationException($"A different backend is already registered as '{backendName}'.");
            }

            return this;
        }

        _registry.Backends.Add(backendName, new BackendRegistration<TOptions>(backendName, factory, validate));
        Services.AddOptions();
        Services.AddSingleton<IConfigureOptions<TOptions>>(new ConfigureStorageFromSections<TOptions>(_registry, backendName));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, StorageOptionsValidator<TOptions>>(services => new StorageOptionsValidator<TOptions>(_registry, services)));
        return this;
    }

    /// <summary>Defines a storage in code. Configuration under its name, if bound, applies as well.</summary>
    /// <typeparam name="TOptions">The backend's options type.</typeparam>
    /// <param name="name">The storage's name.</param>
    /// <param name="backendName">The registered backend that serves it.</param>
    /// <param name="configure">Sets its options.</param>
    public WharfStorageBuilder AddStorage<TOptions>(string name, string backendName, Action<TOptions>? configure = null)
        where TOptions : StorageOptions, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(backendName);
        _registry.CodeStorages[name] = backendName;
        if (configure is not null)
        {
            Services.Configure(name, configure);
        }

        return this;
    }

    internal static WharfStorageBuilder GetOrCreate(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        StorageRegistry? registry = services
            .FirstOrDefault(d => d.ServiceType == typeof(StorageRegistry) && !d.IsKeyedService)?.ImplementationInstance as StorageRegistry;
        if (registry is null)
        {
            registry = new StorageRegistry();
            services.AddSingleton(registry);
            services.TryAddSingleton<IStorageProvider, StorageProvider>();
            services.TryAddKeyedSingleton<IStorage>(KeyedService.AnyKey, static (provider, key) =>
                provider.GetRequiredService<IStorageProvider>().GetStorage(
                    key as string ?? throw new InvalidOperationException($"Storages are keyed by their name (a string), not by {key?.GetType().Name ?? "null"}.")));
            services.TryAddSingleton<IStorage>(static provider => provider.GetRequiredService<IStorageProvider>().GetStorage(NamedStorages.Default));
            services.AddOptions<StorageStartupCheck>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<StorageStartupCheck>, StorageStartupValidator>();
        }

        return new WharfStorageBuilder(services, registry);
    }
}

/// <summary>Adds Wharf storages to a service collection.</summary>
public static class WharfStorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the storage provider, keyed <see cref="IStorage"/> services (any name) and unkeyed
    /// <see cref="IStorage"/> (<c>default</c>), with start-up validation of every storage. Call it once or many times.
    /// </summary>
    public static WharfStorageBuilder AddWharfStorage(this IServiceCollection services) => WharfStorageBuilder.GetOrCreate(services);

    /// <summary>As <see cref="AddWharfStorage(IServiceCollection)"/>, and defines storages from <c>Wharf:Storages</c> of <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration (its root, not the section).</param>
    public static WharfStorageBuilder AddWharfStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return WharfStorageBuilder.GetOrCreate(services).BindConfiguration(configuration.GetSection(StorageRegistry.DefaultSectionPath));
    }
}
