using Microsoft.AspNetCore.Razor.TagHelpers;
using Wharf.StaticManifest.Runtime;
using Wharf.StaticManifest.TagHelpers;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

[TestClass]
public sealed class TagHelperTests
{
    private static readonly IStaticAssetResolver Cdn = CreateResolver(Sample(), "https://cdn.example.com/static/").Resolver;

    [TestMethod]
    public void A_link_gets_href_integrity_and_crossorigin()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("link", ("rel", "stylesheet"), ("wharf-href", "css/site.css"));

        new StaticLinkTagHelper(Cdn) { Href = "css/site.css" }.Process(context, output);

        Assert.AreEqual("""<link rel="stylesheet" href="https://cdn.example.com/static/css/site.0123456789ab.css" integrity="{0}" crossorigin="anonymous">""".Replace("{0}", Integrity("css/site.0123456789ab.css"), StringComparison.Ordinal),
            Render(output));
    }

    [TestMethod]
    public void A_script_gets_src_integrity_and_crossorigin_and_keeps_the_authors_crossorigin()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("script", ("wharf-src", "/js/app.js"), ("type", "module"));
        new StaticScriptTagHelper(Cdn) { Src = "/js/app.js" }.Process(context, output);
        Assert.AreEqual("https://cdn.example.com/static/js/app.abcdefabcdef.js", output.Attributes["src"].Value);
        Assert.AreEqual(Integrity("js/app.abcdefabcdef.js"), output.Attributes["integrity"].Value);
        Assert.AreEqual("anonymous", output.Attributes["crossorigin"].Value);
        Assert.AreEqual("module", output.Attributes["type"].Value);

        (context, output) = Create("script", ("wharf-src", "js/app.js"), ("crossorigin", "use-credentials"));
        new StaticScriptTagHelper(Cdn) { Src = "js/app.js" }.Process(context, output);
        Assert.AreEqual("use-credentials", output.Attributes["crossorigin"].Value);
        Assert.AreEqual(1, output.Attributes.Count(a => a.Name == "crossorigin"));
    }

    [TestMethod]
    public void An_image_gets_src_only()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("img", ("wharf-src", "img/logo.png"), ("alt", "Logo"));

        new StaticImageTagHelper(Cdn) { Src = "img/logo.png" }.Process(context, output);

        Assert.AreEqual("https://cdn.example.com/static/img/logo.111111111111.png", output.Attributes["src"].Value);
        Assert.IsFalse(output.Attributes.ContainsName("integrity"), "Browsers do not check integrity on images.");
        Assert.IsFalse(output.Attributes.ContainsName("crossorigin"), "A CORS request for an image would need CORS headers for nothing.");
        Assert.AreEqual("Logo", output.Attributes["alt"].Value);
    }

    [TestMethod]
    public void Without_an_integrity_value_or_with_wharf_integrity_false_no_integrity_is_written()
    {
        StaticAssetManifest django = StaticAssetManifest.Parse("""{"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1"}"""u8);
        (TagHelperContext context, TagHelperOutput output) = Create("link", ("wharf-href", "css/site.css"));
        new StaticLinkTagHelper(CreateResolver(django).Resolver) { Href = "css/site.css" }.Process(context, output);
        Assert.AreEqual("/static/css/site.0123456789ab.css", output.Attributes["href"].Value);
        Assert.IsFalse(output.Attributes.ContainsName("integrity"));
        Assert.IsFalse(output.Attributes.ContainsName("crossorigin"));

        (context, output) = Create("script", ("wharf-src", "js/app.js"), ("wharf-integrity", "false"));
        new StaticScriptTagHelper(Cdn) { Src = "js/app.js", Integrity = false }.Process(context, output);
        Assert.IsTrue(output.Attributes.ContainsName("src"));
        Assert.IsFalse(output.Attributes.ContainsName("integrity"));
        Assert.IsFalse(output.Attributes.ContainsName("crossorigin"));
    }

    [TestMethod]
    public void A_query_or_fragment_on_the_path_is_kept()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("link", ("rel", "preload"), ("wharf-href", "fonts/a.woff2?v=1#x"));

        new StaticLinkTagHelper(Cdn) { Href = "fonts/a.woff2?v=1#x" }.Process(context, output);

        Assert.AreEqual("https://cdn.example.com/static/fonts/a.222222222222.woff2?v=1#x", output.Attributes["href"].Value);
    }

    [TestMethod]
    public void A_missing_path_throws_the_strict_error()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("link", ("wharf-href", "css/missing.css"));

        StaticAssetNotFoundException exception = Assert.ThrowsExactly<StaticAssetNotFoundException>(
            () => new StaticLinkTagHelper(Cdn) { Href = "css/missing.css" }.Process(context, output));

        Assert.AreEqual("css/missing.css", exception.LogicalPath);
    }

    [TestMethod]
    public void Conflicting_or_empty_attributes_are_errors()
    {
        (TagHelperContext context, TagHelperOutput output) = Create("link", ("href", "/old.css"), ("wharf-href", "css/site.css"));
        InvalidOperationException both = Assert.ThrowsExactly<InvalidOperationException>(() => new StaticLinkTagHelper(Cdn) { Href = "css/site.css" }.Process(context, output));
        Assert.Contains("both href and wharf-href", both.Message);

        (context, output) = Create("script", ("wharf-src", "js/app.js"), ("integrity", "sha384-stale"));
        InvalidOperationException integrity = Assert.ThrowsExactly<InvalidOperationException>(() => new StaticScriptTagHelper(Cdn) { Src = "js/app.js" }.Process(context, output));
        Assert.Contains("wharf-integrity=\"false\"", integrity.Message);

        (context, output) = Create("img", ("wharf-src", string.Empty));
        Assert.ThrowsExactly<InvalidOperationException>(() => new StaticImageTagHelper(Cdn) { Src = string.Empty }.Process(context, output));
    }

    [TestMethod]
    public void The_tag_helpers_target_only_their_elements_and_attributes()
    {
        HtmlTargetElementAttribute Target<T>() => (HtmlTargetElementAttribute)Attribute.GetCustomAttribute(typeof(T), typeof(HtmlTargetElementAttribute))!;

        Assert.AreEqual("link", Target<StaticLinkTagHelper>().Tag);
        Assert.AreEqual("wharf-href", Target<StaticLinkTagHelper>().Attributes);
        Assert.AreEqual("script", Target<StaticScriptTagHelper>().Tag);
        Assert.AreEqual("wharf-src", Target<StaticScriptTagHelper>().Attributes);
        Assert.AreEqual("img", Target<StaticImageTagHelper>().Tag);
        Assert.AreEqual("wharf-src", Target<StaticImageTagHelper>().Attributes);
    }

    /// <summary>What Razor does before calling a tag helper: all attributes in the context, the unbound ones in the output.</summary>
    private static (TagHelperContext Context, TagHelperOutput Output) Create(string tag, params (string Name, string Value)[] attributes)
    {
        var all = new TagHelperAttributeList(attributes.Select(a => new TagHelperAttribute(a.Name, a.Value)));
        var context = new TagHelperContext(tag, all, new Dictionary<object, object>(), "id");
        var unbound = new TagHelperAttributeList(attributes.Where(a => !a.Name.StartsWith("wharf-", StringComparison.Ordinal)).Select(a => new TagHelperAttribute(a.Name, a.Value)));
        var output = new TagHelperOutput(tag, unbound, (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()))
        {
            TagMode = tag == "script" ? TagMode.StartTagAndEndTag : TagMode.StartTagOnly,
        };
        return (context, output);
    }

    private static string Render(TagHelperOutput output)
    {
        using var writer = new StringWriter();
        output.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return System.Net.WebUtility.HtmlDecode(writer.ToString());
    }
}
