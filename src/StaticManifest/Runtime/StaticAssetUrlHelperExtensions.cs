using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Wharf.StaticManifest.Runtime;

/// <summary>Static asset URLs from code and views: <c>@Url.StaticAsset("css/site.css")</c> (with <c>@using Wharf.StaticManifest.Runtime</c>).</summary>
public static class StaticAssetUrlHelperExtensions
{
    /// <summary>The URL of a logical static path, as <see cref="IStaticAssetResolver.GetUrl"/> gives it.</summary>
    /// <param name="urlHelper">The URL helper of the current request.</param>
    /// <param name="path">A logical path such as <c>css/site.css</c>.</param>
    /// <exception cref="StaticAssetNotFoundException">The manifest has no such path and lookups are strict.</exception>
    /// <exception cref="InvalidOperationException">The resolver is not registered (<c>AddWharfStaticAssets</c>).</exception>
    public static string StaticAsset(this IUrlHelper urlHelper, string path)
    {
        ArgumentNullException.ThrowIfNull(urlHelper);
        IServiceProvider services = urlHelper.ActionContext.HttpContext.RequestServices;
        var resolver = services.GetService<IStaticAssetResolver>()
            ?? throw new InvalidOperationException("No IStaticAssetResolver is registered; call services.AddWharfStaticAssets(configuration).");
        return resolver.GetUrl(path);
    }
}
