using Microsoft.Extensions.Configuration;
using Wharf.StaticManifest.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the Wharf static asset middleware.</summary>
public static class StaticAssetServingServiceCollectionExtensions
{
    /// <summary>Configures <see cref="StaticAssetServingOptions"/> for <c>app.UseWharfStaticAssets()</c>.</summary>
    public static IServiceCollection AddWharfStaticAssetServing(this IServiceCollection services, Action<StaticAssetServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<StaticAssetServingOptions>().Configure(configure);
        return services;
    }

    /// <summary>
    /// Binds <see cref="StaticAssetServingOptions"/> from a configuration section (for instance
    /// <c>Wharf:StaticServing</c> with <c>RootPath</c>, <c>RequestPath</c>, <c>MaxAge</c> as <c>00:01:00</c>, ...).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section holding the options (not the configuration root).</param>
    public static IServiceCollection AddWharfStaticAssetServing(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<StaticAssetServingOptions>().Bind(section);
        return services;
    }
}
