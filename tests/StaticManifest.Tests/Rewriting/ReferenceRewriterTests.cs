using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Tests.Rewriting;

[TestClass]
public sealed class ReferenceRewriterTests
{
    private static string Hash(string logicalPath)
    {
        int dot = logicalPath.LastIndexOf('.');
        return logicalPath[..dot] + ".0123456789ab" + logicalPath[dot..];
    }

    private static string RewriteAll(string text, IReadOnlyList<AssetReference> references, string sourcePath)
    {
        var replacements = new List<ReferenceReplacement>();
        foreach (AssetReference reference in references)
        {
            if (ReferenceResolver.TryResolve(sourcePath, reference.Url, "/static/", out ResolvedReference resolved))
            {
                replacements.Add(new ReferenceReplacement(reference, ReferenceResolver.FormatReplacement(reference, resolved, Hash(resolved.TargetPath!))));
            }
        }

        return ReferenceRewriter.Apply(text, replacements);
    }

    [TestMethod]
    public void Replacements_are_applied_in_one_pass()
    {
        Assert.AreEqual("xAyyBz", ReferenceRewriter.Apply("x1y2z", [new(1, 1, "A"), new(3, 1, "yB")]));
        Assert.AreEqual("ab", ReferenceRewriter.Apply("a123b", [new(1, 3, "")]));
        Assert.AreEqual("XYa", ReferenceRewriter.Apply("a", [new(0, 0, "X"), new(0, 0, "Y")]), "Insertions at one offset keep their order.");
    }

    [TestMethod]
    public void No_replacements_give_the_same_string()
    {
        const string text = "unchanged";
        Assert.AreSame(text, ReferenceRewriter.Apply(text, []));
    }

    [TestMethod]
    public void Overlapping_out_of_order_and_out_of_range_replacements_are_refused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceRewriter.Apply("abcdef", [new(0, 3, "x"), new(2, 1, "y")]));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceRewriter.Apply("abcdef", [new(3, 1, "x"), new(1, 1, "y")]));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceRewriter.Apply("abc", [new(2, 2, "x")]));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceRewriter.Apply("abc", [new(-1, 1, "x")]));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceRewriter.Apply("abc", [new(1, -1, "x")]));
    }

    [TestMethod]
    public void A_style_sheet_is_rewritten_end_to_end()
    {
        const string css = """
            @import "base.css";
            @import url(../vendor/reset.css) screen;
            /* url(commented.png) */
            .a { background: url( img/a.png ) , url('img/b.png?v=1'); content: "url(x.png)"; }
            .b { background: image-set("img/c.png" 1x, url(/static/img/d.png) 2x); mask: url(#m); }
            .c { background: url(data:image/png;base64,AAAA), url(//cdn/x.png), url(/media/y.png), url(img/it\'s.png); }
            @font-face { src: url("fonts/f.eot?#iefix") format("embedded-opentype"), url(fonts/f.woff2) format("woff2"); }
            /*# sourceMappingURL=site.css.map */
            """;
        const string expected = """
            @import "base.0123456789ab.css";
            @import url(../vendor/reset.0123456789ab.css) screen;
            /* url(commented.png) */
            .a { background: url( img/a.0123456789ab.png ) , url('img/b.0123456789ab.png?v=1'); content: "url(x.png)"; }
            .b { background: image-set("img/c.0123456789ab.png" 1x, url(/static/img/d.0123456789ab.png) 2x); mask: url(#m); }
            .c { background: url(data:image/png;base64,AAAA), url(//cdn/x.png), url(/media/y.png), url("img/it's.0123456789ab.png"); }
            @font-face { src: url("fonts/f.0123456789ab.eot?#iefix") format("embedded-opentype"), url(fonts/f.0123456789ab.woff2) format("woff2"); }
            /*# sourceMappingURL=site.css.0123456789ab.map */
            """;
        Assert.AreEqual(expected, RewriteAll(css, CssReferenceScanner.Scan(css), "css/site.css"));
    }

    [TestMethod]
    public void A_module_is_rewritten_end_to_end()
    {
        const string js = """
            import a from './a.js';
            import { b } from "../lib/b.js";
            export * from '/static/c.js';
            import 'react';
            const s = "import './no.js'";
            const m = await import(`./lazy.js`);
            //# sourceMappingURL=app.js.map
            """;
        const string expected = """
            import a from './a.0123456789ab.js';
            import { b } from "../lib/b.0123456789ab.js";
            export * from '/static/c.0123456789ab.js';
            import 'react';
            const s = "import './no.js'";
            const m = await import(`./lazy.0123456789ab.js`);
            //# sourceMappingURL=app.js.0123456789ab.map
            """;
        Assert.AreEqual(expected, RewriteAll(js, JsReferenceScanner.Scan(js), "js/app.js"));
    }
}
