using Microsoft.AspNetCore.Razor.TagHelpers;
using Wharf.StaticManifest.Runtime;

namespace Wharf.StaticManifest.TagHelpers;

/// <summary>
/// <c>&lt;link wharf-href="css/site.css" rel="stylesheet"&gt;</c> → <c>href</c> set to the fingerprinted URL, with
/// <c>integrity</c> and <c>crossorigin="anonymous"</c> when the manifest has an integrity value.
/// </summary>
/// <remarks>
/// Register with <c>@addTagHelper *, Wharf.StaticManifest</c>. The <c>wharf-</c> prefix keeps clear of ASP.NET's own
/// <c>asp-</c> attributes (<c>asp-append-version</c> is not needed: the URL is fingerprinted already). A missing
/// path throws <see cref="StaticAssetNotFoundException"/> when lookups are strict, in every environment.
/// </remarks>
/// <param name="resolver">The resolver.</param>
[HtmlTargetElement("link", Attributes = HrefAttributeName)]
public sealed class StaticLinkTagHelper(IStaticAssetResolver resolver) : TagHelper
{
    /// <summary>The attribute that names the logical path.</summary>
    public const string HrefAttributeName = "wharf-href";

    /// <summary>Runs before ASP.NET's tag helpers (order 0), so any that look at <c>href</c> see the final URL.</summary>
    public override int Order => -1000;

    /// <summary>The logical path, such as <c>css/site.css</c>.</summary>
    [HtmlAttributeName(HrefAttributeName)]
    public string? Href { get; set; }

    /// <summary>Add <c>integrity</c> and <c>crossorigin</c> (the default). <c>wharf-integrity="false"</c> leaves them out, for a CDN that rewrites content.</summary>
    [HtmlAttributeName(StaticAssetTagHelper.IntegrityAttributeName)]
    public bool Integrity { get; set; } = true;

    /// <inheritdoc/>
    public override void Process(TagHelperContext context, TagHelperOutput output) =>
        StaticAssetTagHelper.Apply(resolver, context, output, "href", HrefAttributeName, Href, Integrity);
}

/// <summary>
/// <c>&lt;script wharf-src="js/app.js"&gt;&lt;/script&gt;</c> → <c>src</c> set to the fingerprinted URL, with
/// <c>integrity</c> and <c>crossorigin="anonymous"</c> when the manifest has an integrity value.
/// </summary>
/// <param name="resolver">The resolver.</param>
[HtmlTargetElement("script", Attributes = StaticAssetTagHelper.SrcAttributeName)]
public sealed class StaticScriptTagHelper(IStaticAssetResolver resolver) : TagHelper
{
    /// <summary>Runs before ASP.NET's tag helpers (order 0), so any that look at <c>src</c> see the final URL.</summary>
    public override int Order => -1000;

    /// <summary>The logical path, such as <c>js/app.js</c>.</summary>
    [HtmlAttributeName(StaticAssetTagHelper.SrcAttributeName)]
    public string? Src { get; set; }

    /// <summary>Add <c>integrity</c> and <c>crossorigin</c> (the default). <c>wharf-integrity="false"</c> leaves them out.</summary>
    [HtmlAttributeName(StaticAssetTagHelper.IntegrityAttributeName)]
    public bool Integrity { get; set; } = true;

    /// <inheritdoc/>
    public override void Process(TagHelperContext context, TagHelperOutput output) =>
        StaticAssetTagHelper.Apply(resolver, context, output, "src", StaticAssetTagHelper.SrcAttributeName, Src, Integrity);
}

/// <summary><c>&lt;img wharf-src="img/logo.png"&gt;</c> → <c>src</c> set to the fingerprinted URL. No integrity: browsers do not check it on images.</summary>
/// <param name="resolver">The resolver.</param>
[HtmlTargetElement("img", Attributes = StaticAssetTagHelper.SrcAttributeName, TagStructure = TagStructure.WithoutEndTag)]
public sealed class StaticImageTagHelper(IStaticAssetResolver resolver) : TagHelper
{
    /// <summary>Runs before ASP.NET's tag helpers (order 0).</summary>
    public override int Order => -1000;

    /// <summary>The logical path, such as <c>img/logo.png</c>.</summary>
    [HtmlAttributeName(StaticAssetTagHelper.SrcAttributeName)]
    public string? Src { get; set; }

    /// <inheritdoc/>
    public override void Process(TagHelperContext context, TagHelperOutput output) =>
        StaticAssetTagHelper.Apply(resolver, context, output, "src", StaticAssetTagHelper.SrcAttributeName, Src, withIntegrity: false);
}

/// <summary>What the static asset tag helpers share.</summary>
internal static class StaticAssetTagHelper
{
    public const string SrcAttributeName = "wharf-src";

    public const string IntegrityAttributeName = "wharf-integrity";

    public static void Apply(
        IStaticAssetResolver resolver, TagHelperContext context, TagHelperOutput output, string urlAttribute, string pathAttribute, string? path, bool withIntegrity)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"<{output.TagName} {pathAttribute}> needs a logical path, such as {pathAttribute}=\"css/site.css\".");
        }

        // Two sources for one attribute would leave one silently ignored; say so instead.
        if (context.AllAttributes.ContainsName(urlAttribute))
        {
            throw new InvalidOperationException($"<{output.TagName}> has both {urlAttribute} and {pathAttribute}=\"{path}\"; keep only {pathAttribute}.");
        }

        ResolvedStaticAsset asset = resolver.Resolve(path);
        output.Attributes.SetAttribute(urlAttribute, asset.Url);
        if (!withIntegrity || asset.Integrity is null)
        {
            return;
        }

        if (context.AllAttributes.ContainsName("integrity"))
        {
            throw new InvalidOperationException(
                $"<{output.TagName} {pathAttribute}=\"{path}\"> also has an integrity attribute; the manifest's value is added for you " +
                $"(or write {IntegrityAttributeName}=\"false\" to leave it out).");
        }

        output.Attributes.SetAttribute("integrity", asset.Integrity);

        // SRI on a cross-origin (CDN) response needs a CORS request; an author's own crossorigin (use-credentials) wins.
        if (!output.Attributes.ContainsName("crossorigin"))
        {
            output.Attributes.SetAttribute("crossorigin", "anonymous");
        }
    }
}
