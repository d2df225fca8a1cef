using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Tests.Rewriting;

[TestClass]
public sealed class ReferenceResolverTests
{
    private const string Prefix = "/static/";

    private static ResolvedReference Resolve(string url, string source = "css/site.css", string prefix = Prefix)
    {
        bool resolved = ReferenceResolver.TryResolve(source, url, prefix, out ResolvedReference result);
        Assert.AreEqual(resolved, result.Outcome == ReferenceOutcome.Resolved);
        return result;
    }

    private static AssetReference Reference(AssetReferenceKind kind, string url, char quote) => new(kind, 0, url.Length, url, quote, 1, 1);

    private static string Format(string url, string hashedPath, AssetReferenceKind kind = AssetReferenceKind.CssUrl, char quote = '"', string source = "css/site.css")
    {
        ResolvedReference resolved = Resolve(url, source);
        Assert.AreEqual(ReferenceOutcome.Resolved, resolved.Outcome, url);
        return ReferenceResolver.FormatReplacement(Reference(kind, url, quote), resolved, hashedPath);
    }

    [TestMethod]
    public void A_relative_url_joins_the_source_folder()
    {
        ResolvedReference resolved = Resolve("img/a.png");
        Assert.AreEqual("css/img/a.png", resolved.TargetPath);
        Assert.AreEqual("img/a.png", resolved.UrlPath);
        Assert.IsNull(resolved.Query);
        Assert.IsNull(resolved.Fragment);
        Assert.AreEqual("css/img/a.png", Resolve("./img/./a.png").TargetPath);
    }

    [TestMethod]
    public void Dot_dot_segments_are_normalised()
    {
        Assert.AreEqual("img/a.png", Resolve("../img/a.png").TargetPath);
        Assert.AreEqual("img/a.png", Resolve("../x/../img//a.png").TargetPath);
        Assert.AreEqual("a.png", Resolve("../../a.png", "css/vendor/x.css").TargetPath);
        Assert.AreEqual("a.png", Resolve("a.png", "site.css").TargetPath);
        Assert.AreEqual("img/a.png", Resolve("%2e%2E/img/a.png").TargetPath, "Percent-encoded dots are dot segments, as in browsers.");
    }

    [TestMethod]
    public void Climbing_above_the_root_is_reported_and_left_alone()
    {
        Assert.AreEqual(ReferenceOutcome.AboveRoot, Resolve("../../a.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.AboveRoot, Resolve("../a.png", "site.css").Outcome);
        Assert.AreEqual(ReferenceOutcome.AboveRoot, Resolve("/static/../a.png").Outcome);
        Assert.IsNull(Resolve("../../a.png").TargetPath);
    }

    [TestMethod]
    public void Urls_with_a_scheme_are_left_alone_in_any_case()
    {
        foreach (string url in new[] { "http://x/a.png", "HTTPS://x/a.png", "data:image/png;base64,AAAA", "Data:,x", "chrome-extension://id/a.png", "x-foo+bar.baz:1", "mailto:a@b", "blob:https://x/1", "c:/a.png", "web+app:x" })
        {
            Assert.AreEqual(ReferenceOutcome.External, Resolve(url).Outcome, url);
        }
    }

    [TestMethod]
    public void Things_that_only_look_like_schemes_are_paths()
    {
        Assert.AreEqual("css/img/a:b.png", Resolve("img/a:b.png").TargetPath);
        Assert.AreEqual("css/1x:a.png", Resolve("1x:a.png").TargetPath, "A scheme starts with a letter.");
    }

    [TestMethod]
    public void Protocol_relative_urls_are_left_alone_even_with_a_root_prefix()
    {
        Assert.AreEqual(ReferenceOutcome.External, Resolve("//cdn.example/a.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.External, Resolve("//cdn.example/a.png", prefix: "/").Outcome);
        Assert.AreEqual(ReferenceOutcome.External, Resolve("/\\evil.example/a.png", prefix: "/").Outcome);
    }

    [TestMethod]
    public void Fragment_only_query_only_and_empty_urls_are_left_alone()
    {
        Assert.AreEqual(ReferenceOutcome.SameDocument, Resolve("#icon").Outcome);
        Assert.AreEqual("icon", Resolve("#icon").Fragment);
        Assert.AreEqual(ReferenceOutcome.SameDocument, Resolve("?v=1").Outcome);
        Assert.AreEqual(ReferenceOutcome.Empty, Resolve("").Outcome);
    }

    [TestMethod]
    public void An_absolute_path_under_the_prefix_loses_the_prefix()
    {
        ResolvedReference resolved = Resolve("/static/img/a.png?v=2");
        Assert.AreEqual("img/a.png", resolved.TargetPath);
        Assert.AreEqual("/static/img/a.png", resolved.UrlPath);
        Assert.AreEqual("v=2", resolved.Query);
        Assert.AreEqual("img/a.png", Resolve("/img/a.png", prefix: "/").TargetPath);
    }

    [TestMethod]
    public void An_absolute_path_outside_the_prefix_is_left_alone()
    {
        Assert.AreEqual(ReferenceOutcome.OutsidePrefix, Resolve("/media/a.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.OutsidePrefix, Resolve("/static").Outcome);
        Assert.AreEqual(ReferenceOutcome.OutsidePrefix, Resolve("/STATIC/a.png").Outcome, "URL paths are case-sensitive.");
    }

    [TestMethod]
    public void Query_and_fragment_are_split_off()
    {
        ResolvedReference resolved = Resolve("fonts/a.woff?v=1.2#x?y");
        Assert.AreEqual("css/fonts/a.woff", resolved.TargetPath);
        Assert.AreEqual("v=1.2", resolved.Query);
        Assert.AreEqual("x?y", resolved.Fragment);
        ResolvedReference iefix = Resolve("a.eot?#iefix");
        Assert.AreEqual("", iefix.Query);
        Assert.AreEqual("iefix", iefix.Fragment);
    }

    [TestMethod]
    public void Percent_encoded_names_are_decoded()
    {
        Assert.AreEqual("css/img/a b+ü.png", Resolve("img/a%20b+%C3%BC.png").TargetPath);
        Assert.AreEqual("css/img/100%zz.png", Resolve("img/100%zz.png").TargetPath, "A stray % stays.");
        Assert.AreEqual(ReferenceOutcome.OutsidePrefix, Resolve("/st%61tic/img/a.png").Outcome, "The prefix is matched as written.");
    }

    [TestMethod]
    public void Paths_that_cannot_name_a_file_are_invalid()
    {
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("img/").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("img/..").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve(".").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("/static/").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("a%2Fb.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("a%5Cb.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("a\\b.png").Outcome);
        Assert.AreEqual(ReferenceOutcome.Invalid, Resolve("a%00.png").Outcome);
    }

    [TestMethod]
    public void The_prefix_must_end_with_a_slash()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceResolver.TryResolve("a.css", "b.png", "/static", out _));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceResolver.TryResolve("a.css", "b.png", "", out _));
    }

    [TestMethod]
    public void A_replacement_keeps_the_relative_form_and_swaps_only_the_file_name()
    {
        Assert.AreEqual("../img/a.0123456789ab.png", Format("../img/a.png", "img/a.0123456789ab.png"));
        Assert.AreEqual("./x/../img/a.0123456789ab.png", Format("./x/../img/a.png", "css/img/a.0123456789ab.png"));
        Assert.AreEqual("a.0123456789ab.png", Format("a.png", "css/a.0123456789ab.png"));
        Assert.AreEqual("/static/img/a.0123456789ab.png", Format("/static/img/a.png", "img/a.0123456789ab.png"));
    }

    [TestMethod]
    public void A_replacement_keeps_query_and_fragment_exactly()
    {
        Assert.AreEqual("f/a.0123456789ab.eot?#iefix", Format("f/a.eot?#iefix", "css/f/a.0123456789ab.eot"));
        Assert.AreEqual("f/a.0123456789ab.woff?v=1&x=%20#frag", Format("f/a.woff?v=1&x=%20#frag", "css/f/a.0123456789ab.woff"));
        Assert.AreEqual("i.0123456789ab.svg#", Format("i.svg#", "css/i.0123456789ab.svg"));
    }

    [TestMethod]
    public void A_replacement_percent_encodes_the_new_file_name_and_keeps_the_written_directory()
    {
        Assert.AreEqual("my%20dir/a%20b.0123456789ab.png", Format("my%20dir/a%20b.png", "css/my dir/a b.0123456789ab.png"));
        Assert.AreEqual("100%25.0123456789ab.png", Format("100%25.png", "css/100%.0123456789ab.png"));
        Assert.AreEqual("ü.0123456789ab.png", Format("%C3%BC.png", "css/ü.0123456789ab.png"));
        Assert.AreEqual("a%23b%3F.0123456789ab.png", Format("a%23b%3F.png", "css/a#b?.0123456789ab.png"));
    }

    [TestMethod]
    public void An_unquoted_url_stays_unquoted_when_safe_and_is_quoted_otherwise()
    {
        Assert.AreEqual("a.0123456789ab.png", Format("a.png", "a.0123456789ab.png", quote: '\0'));
        Assert.AreEqual("\"a(1).0123456789ab.png\"", Format("a(1).png", "a(1).0123456789ab.png", quote: '\0'));
        Assert.AreEqual("\"it's.0123456789ab.png\"", Format("it's.png", "it's.0123456789ab.png", quote: '\0'));
    }

    [TestMethod]
    public void A_quoted_css_string_escapes_its_quote_and_backslashes()
    {
        Assert.AreEqual("it\\'s.0123456789ab.png", Format("it's.png", "it's.0123456789ab.png", quote: '\''));
        Assert.AreEqual("it's.0123456789ab.png", Format("it's.png", "it's.0123456789ab.png", quote: '"'));
        Assert.AreEqual(@"a.0123456789ab.png?x\""\\", Format(@"a.png?x""\", "a.0123456789ab.png", quote: '"'));
        Assert.AreEqual("a.0123456789ab.png#\\a x", Format("a.png#\nx", "a.0123456789ab.png", AssetReferenceKind.CssImportString, '"'));
    }

    [TestMethod]
    public void A_javascript_string_escapes_its_quote_backslashes_and_line_terminators()
    {
        Assert.AreEqual("./it\\'s.0123456789ab.js", Format("./it's.js", "it's.0123456789ab.js", AssetReferenceKind.JsImport, '\''));
        Assert.AreEqual("./a.0123456789ab.js?\\n\\u2028\\\\", Format("./a.js?\n\u2028\\", "a.0123456789ab.js", AssetReferenceKind.JsDynamicImport, '"'));
        Assert.AreEqual("./a.0123456789ab.js?\\`\\${x}$", Format("./a.js?`${x}$", "a.0123456789ab.js", AssetReferenceKind.JsDynamicImport, '`'));
    }

    [TestMethod]
    public void A_source_map_url_is_written_as_is()
    {
        Assert.AreEqual("maps/app.0123456789ab.js.map", Format("maps/app.js.map", "maps/app.0123456789ab.js.map", AssetReferenceKind.JsSourceMappingUrl, '\0', "app.js"));
        Assert.AreEqual("a%2A.0123456789ab.map", Format("a%2A.map", "a*.0123456789ab.map", AssetReferenceKind.CssSourceMappingUrl, '\0', "app.css"));
    }

    [TestMethod]
    public void Only_resolved_references_can_be_formatted()
    {
        ReferenceResolver.TryResolve("a.css", "http://x/a.png", Prefix, out ResolvedReference external);
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceResolver.FormatReplacement(Reference(AssetReferenceKind.CssUrl, "http://x/a.png", '"'), external, "a.png"));
        ReferenceResolver.TryResolve("a.css", "b.png", Prefix, out ResolvedReference resolved);
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceResolver.FormatReplacement(Reference(AssetReferenceKind.CssUrl, "b.png", '"'), resolved, "img/"));
    }
}
