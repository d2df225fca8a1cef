using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wharf.StaticManifest.Serving;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the Wharf static asset middleware to a pipeline.</summary>
public static class StaticAssetServingApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the files a collected static root's manifest lists, with the options configured by
    /// <see cref="StaticAssetServingServiceCollectionExtensions.AddWharfStaticAssetServing(IServiceCollection, Action{StaticAssetServingOptions})"/>.
    /// Put it early, before routing and authentication, as <c>UseStaticFiles</c>; paths it does not list go on down the pipeline.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the pipeline is built: the root is not set, or an option is out of range.</exception>
    public static IApplicationBuilder UseWharfStaticAssets(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<StaticAssetMiddleware>();
    }

    /// <summary>As <see cref="UseWharfStaticAssets(IApplicationBuilder)"/>, with these options instead of the configured ones.</summary>
    /// <exception cref="InvalidOperationException">When the pipeline is built: the root is not set, or an option is out of range.</exception>
    public static IApplicationBuilder UseWharfStaticAssets(this IApplicationBuilder app, StaticAssetServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        return app.UseMiddleware<StaticAssetMiddleware>(Options.Create(options));
    }
}
