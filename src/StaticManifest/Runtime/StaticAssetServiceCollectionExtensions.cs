using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wharf.StaticManifest.Runtime;
using Wharf.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the static asset resolver (manifest loading and reloading, URL lookups, tag helpers' service) to a service collection.</summary>
public static class StaticAssetServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IStaticAssetResolver"/> and <see cref="IStaticAssetManifestProvider"/> with
    /// <see cref="StaticAssetOptions"/> bound from <c>Wharf:StaticAssets</c>. The options are validated and the
    /// manifest is loaded when the host starts; either failing stops the start. Call it once or many times.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration (its root, not the section).</param>
    /// <param name="configure">Further settings applied after the configuration, if any.</param>
    public static IServiceCollection AddWharfStaticAssets(this IServiceCollection services, IConfiguration configuration, Action<StaticAssetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(StaticAssetOptions.SectionPath);
        services.AddSingleton(new StaticAssetOptionsSection(section));
        services.AddOptions<StaticAssetOptions>().Bind(section);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>As <see cref="AddWharfStaticAssets(IServiceCollection, IConfiguration, Action{StaticAssetOptions}?)"/>, with the options set in code only.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; <see cref="StaticAssetOptions.ManifestPath"/> or <see cref="StaticAssetOptions.Storage"/> is required.</param>
    public static IServiceCollection AddWharfStaticAssets(this IServiceCollection services, Action<StaticAssetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<StaticAssetOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StaticAssetOptions>, StaticAssetOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static provider =>
        {
            StaticAssetOptions options = provider.GetRequiredService<IOptions<StaticAssetOptions>>().Value;
            return new StaticAssetManifestProvider(CreateSource(provider, options), options.BaseUrl!, provider.GetService<ILogger<StaticAssetManifestProvider>>());
        });
        services.TryAddSingleton<IStaticAssetManifestProvider>(static provider => provider.GetRequiredService<StaticAssetManifestProvider>());
        services.TryAddSingleton<IStaticAssetResolver>(static provider => new StaticAssetResolver(
            provider.GetRequiredService<StaticAssetManifestProvider>(),
            provider.GetRequiredService<IOptions<StaticAssetOptions>>().Value.Strict,
            provider.GetService<ILogger<StaticAssetResolver>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StaticAssetManifestService>());
        return services;
    }

    private static ManifestSource CreateSource(IServiceProvider provider, StaticAssetOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Storage))
        {
            string storageName = options.Storage;
            return new StorageManifestSource(() => provider.GetRequiredService<IStorageProvider>().GetStorage(storageName), storageName, options.ManifestName);
        }

        // Relative to the content root, like the rest of an app's files, not to whatever directory the process started in.
        string root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        return new FileManifestSource(Path.GetFullPath(options.ManifestPath!, root));
    }
}
