using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Tests.Rewriting;

[TestClass]
public sealed class CssReferenceScannerTests
{
    private static AssetReference Single(string css)
    {
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan(css);
        Assert.HasCount(1, references, string.Join(", ", references));
        return references[0];
    }

    private static string Raw(string css, AssetReference reference) => css.Substring(reference.Start, reference.Length);

    private static string[] Urls(string css) => [.. CssReferenceScanner.Scan(css).Select(r => r.Url)];

    [TestMethod]
    public void An_unquoted_url_gives_its_value_and_the_span_of_the_value()
    {
        const string css = "a { background: url(img/a.png) }";
        AssetReference reference = Single(css);
        Assert.AreEqual(AssetReferenceKind.CssUrl, reference.Kind);
        Assert.AreEqual("img/a.png", reference.Url);
        Assert.AreEqual("img/a.png", Raw(css, reference));
        Assert.AreEqual('\0', reference.Quote);
        Assert.IsFalse(reference.IsQuoted);
        Assert.AreEqual(css.IndexOf("img", StringComparison.Ordinal), reference.Start);
        Assert.AreEqual(reference.Start + reference.Length, reference.End);
    }

    [TestMethod]
    public void A_double_quoted_url_spans_the_inside_of_the_quotes()
    {
        const string css = "a{b:url(\"img/a.png\")}";
        AssetReference reference = Single(css);
        Assert.AreEqual(AssetReferenceKind.CssUrl, reference.Kind);
        Assert.AreEqual("img/a.png", Raw(css, reference));
        Assert.AreEqual('"', reference.Quote);
    }

    [TestMethod]
    public void A_single_quoted_url_spans_the_inside_of_the_quotes()
    {
        const string css = "a{b:url('img/a.png')}";
        AssetReference reference = Single(css);
        Assert.AreEqual("img/a.png", Raw(css, reference));
        Assert.AreEqual('\'', reference.Quote);
    }

    [TestMethod]
    public void Whitespace_and_newlines_around_an_unquoted_url_are_not_part_of_it()
    {
        const string css = "a{b:url(  \n\t img/a.png \r\n  )}";
        AssetReference reference = Single(css);
        Assert.AreEqual("img/a.png", reference.Url);
        Assert.AreEqual("img/a.png", Raw(css, reference));
    }

    [TestMethod]
    public void Whitespace_and_newlines_around_a_quoted_url_are_allowed()
    {
        const string css = "a{b:url(\n   \"img/a.png\"\n  )}";
        AssetReference reference = Single(css);
        Assert.AreEqual("img/a.png", Raw(css, reference));
        Assert.AreEqual('"', reference.Quote);
    }

    [TestMethod]
    public void Url_is_case_insensitive()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.png" }, Urls("x{a:URL(a.png);b:Url(\"b.png\");c:uRl( 'c.png' )}"));
    }

    [TestMethod]
    public void An_escaped_name_of_url_is_still_url()
    {
        CollectionAssert.AreEqual(new[] { "a.png" }, Urls(@"x{a:\75 rl(a.png)}"));
    }

    [TestMethod]
    public void An_escaped_parenthesis_stays_in_an_unquoted_url()
    {
        const string css = @"x{a:url(a\)b.png)}";
        AssetReference reference = Single(css);
        Assert.AreEqual("a)b.png", reference.Url);
        Assert.AreEqual(@"a\)b.png", Raw(css, reference));
    }

    [TestMethod]
    public void A_hex_escape_consumes_one_whitespace()
    {
        const string css = @"x{a:url(\31 x.png)}";
        AssetReference reference = Single(css);
        Assert.AreEqual("1x.png", reference.Url);
        Assert.AreEqual(@"\31 x.png", Raw(css, reference));
    }

    [TestMethod]
    public void Escapes_in_strings_are_decoded()
    {
        Assert.AreEqual("a\"b 1c.png", Single("x{a:url(\"a\\\"b\\20\\31 c.png\")}").Url);
        Assert.AreEqual("ab.png", Single("x{a:url(\"a\\\nb.png\")}").Url, "An escaped newline continues the string.");
        Assert.AreEqual("\U0001F600.png", Single(@"x{a:url(""\1F600.png"")}").Url);
        Assert.AreEqual("\uFFFD.png", Single(@"x{a:url(""\0.png"")}").Url, "A NUL escape is U+FFFD.");
        Assert.AreEqual("\uFFFD.png", Single(@"x{a:url(""\110000.png"")}").Url, "Beyond U+10FFFF is U+FFFD.");
    }

    [TestMethod]
    public void A_hex_escape_across_a_newline_does_not_break_the_string()
    {
        // \41 followed by a newline: the newline belongs to the escape, so the string goes on.
        Assert.AreEqual("A.png", Single("x{a:url(\"\\41\n.png\")}").Url);
    }

    [TestMethod]
    public void A_bad_url_gives_no_reference_and_the_scan_goes_on()
    {
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a b.png);b:url(ok.png)}"));
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a\"b.png);b:url(ok.png)}"));
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a(b.png);b:url(ok.png)}"));
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a\u0001b.png);b:url(ok.png)}"));
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a\\\nb.png);b:url(ok.png)}"), "A backslash before a newline is not an escape in a url.");
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(a b\\).png);b:url(ok.png)}"), "An escaped ) does not end the bad url.");
    }

    [TestMethod]
    public void A_comment_inside_url_parentheses_makes_a_bad_url()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url( /*c*/ \"a.png\")}"));
    }

    [TestMethod]
    public void An_empty_url_is_not_a_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url();b:url(  );c:url(\"\");d:url('')}"));
    }

    [TestMethod]
    public void A_string_that_decodes_to_nothing_is_not_a_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(\"\\\n\")} @import '\\\r\n';"));
    }

    [TestMethod]
    public void An_unterminated_url_at_the_end_gives_no_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(a.png"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(a.png  "));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url("));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(a\\"));
    }

    [TestMethod]
    public void An_unterminated_string_at_the_end_gives_no_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(\"a.png"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("@import 'a.css"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:url(\"a.png\\"));
    }

    [TestMethod]
    public void A_string_broken_by_a_newline_gives_no_reference_and_the_scan_goes_on()
    {
        CollectionAssert.AreEqual(new[] { "ok.png" }, Urls("x{a:url(\"a.png\n);b:url(ok.png)}"));
        CollectionAssert.AreEqual(new[] { "ok.css" }, Urls("@import 'a.css\r\n@import 'ok.css';"));
    }

    [TestMethod]
    public void An_unterminated_comment_at_the_end_hides_everything_after_it()
    {
        CollectionAssert.AreEqual(new[] { "a.png" }, Urls("x{a:url(a.png)} /* url(b.png) @import 'c.css'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/*# sourceMappingURL=a.css.map"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/*"));
    }

    [TestMethod]
    public void A_url_in_a_comment_is_left_alone()
    {
        CollectionAssert.AreEqual(new[] { "b.png" }, Urls("/* url(a.png) */ x{a:url(b.png) /* url(c.png) @import 'd.css'; */}"));
    }

    [TestMethod]
    public void A_url_in_a_string_is_left_alone()
    {
        CollectionAssert.AreEqual(new[] { "b.png" }, Urls("x::before{content:\"url(x.png)\";background:url(b.png)} y{content:'@import \"z.css\"'}"));
    }

    [TestMethod]
    public void A_string_that_is_not_in_a_reference_position_is_left_alone()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{font-family:\"a.png\";content:'./b.png'} [href=\"c.png\"]{}"));
    }

    [TestMethod]
    public void Import_with_a_double_quoted_string()
    {
        const string css = "@import \"base.css\";";
        AssetReference reference = Single(css);
        Assert.AreEqual(AssetReferenceKind.CssImportString, reference.Kind);
        Assert.AreEqual("base.css", Raw(css, reference));
        Assert.AreEqual('"', reference.Quote);
    }

    [TestMethod]
    public void Import_with_a_single_quoted_string_and_media_queries()
    {
        AssetReference reference = Single("@import 'print.css' print, screen and (min-width: 10px);");
        Assert.AreEqual(AssetReferenceKind.CssImportString, reference.Kind);
        Assert.AreEqual("print.css", reference.Url);
        Assert.AreEqual('\'', reference.Quote);
    }

    [TestMethod]
    public void Import_with_url_forms()
    {
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan("@import url(a.css);\n@import url(\"b.css\") layer(x);\n@import url( 'c.css' ) supports(display: grid);");
        CollectionAssert.AreEqual(new[] { "a.css", "b.css", "c.css" }, references.Select(r => r.Url).ToArray());
        Assert.IsTrue(references.All(r => r.Kind == AssetReferenceKind.CssUrl));
    }

    [TestMethod]
    public void Import_is_case_insensitive_and_may_have_a_comment_before_its_string()
    {
        CollectionAssert.AreEqual(new[] { "a.css", "b.css", "c.css" }, Urls("@IMPORT 'a.css'; @Import/* x */\"b.css\"; @\\69mport 'c.css';"));
    }

    [TestMethod]
    public void Other_at_rules_strings_are_not_references()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("@charset \"utf-8\"; @namespace svg \"http://www.w3.org/2000/svg\"; @importx 'a.css'; @layer 'b.css';"));
    }

    [TestMethod]
    public void Image_set_strings_and_urls_are_references_and_nested_functions_are_not()
    {
        const string css = "x{background-image:image-set(url(a.png) 1x, \"b.png\" 2x, 'c.avif' type(\"image/avif\"), url('d.png') 3x)}";
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan(css);
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.avif", "d.png" }, references.Select(r => r.Url).ToArray());
        CollectionAssert.AreEqual(
            new[] { AssetReferenceKind.CssUrl, AssetReferenceKind.CssImageSetString, AssetReferenceKind.CssImageSetString, AssetReferenceKind.CssUrl },
            references.Select(r => r.Kind).ToArray());
        Assert.IsTrue(references.All(r => Raw(css, r) == r.Url));
    }

    [TestMethod]
    public void Webkit_image_set_counts_too_and_strings_after_the_closing_parenthesis_do_not()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png" }, Urls("x{a:-WEBKIT-image-set(\"a.png\" 1x, \"b.png\" 2x) \"c.png\"}"));
    }

    [TestMethod]
    public void Image_set_nested_in_another_function_still_counts()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png" }, Urls("x{a:cross-fade(image-set(\"a.png\" 1x), url(b.png) 50%)}"));
    }

    [TestMethod]
    public void Several_urls_in_one_declaration()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.png" }, Urls("x{background:url(a.png) no-repeat,url(\"b.png\") repeat-x,url('c.png')}"));
    }

    [TestMethod]
    public void Font_face_src_with_format_gives_only_the_urls()
    {
        const string css = """
            @font-face {
              font-family: "Icons";
              src: url("fonts/icons.eot");
              src: url("fonts/icons.eot?#iefix") format("embedded-opentype"),
                   url(fonts/icons.woff2) format("woff2"),
                   url('fonts/icons.woff') format('woff'),
                   local("Icons"), url(fonts/icons.svg#icons) format("svg");
            }
            """;
        CollectionAssert.AreEqual(
            new[] { "fonts/icons.eot", "fonts/icons.eot?#iefix", "fonts/icons.woff2", "fonts/icons.woff", "fonts/icons.svg#icons" },
            Urls(css));
    }

    [TestMethod]
    public void The_src_function_takes_a_string()
    {
        AssetReference reference = Single("x{a:src(\"a.png\");b:src(c)}");
        Assert.AreEqual(AssetReferenceKind.CssUrl, reference.Kind);
        Assert.AreEqual("a.png", reference.Url);
    }

    [TestMethod]
    public void Names_that_merely_end_in_url_are_not_url()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{a:myurl(a.png);b:-url(b.png);c:--url(c.png);d:#url(d.png);e:5url(e.png);f:x-url(\"f.png\")}"));
    }

    [TestMethod]
    public void Url_tokens_count_wherever_they_are()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.svg" }, Urls("x{--bg:url(a.png)} @media (min-width:1px){y{mask:url(b.png)}} z{filter:url(c.svg#f)}").Select(u => u.Split('#')[0]).ToArray());
    }

    [TestMethod]
    public void Source_mapping_url_comment()
    {
        const string css = "x{}\n/*# sourceMappingURL=site.css.map */\n";
        AssetReference reference = Single(css);
        Assert.AreEqual(AssetReferenceKind.CssSourceMappingUrl, reference.Kind);
        Assert.AreEqual("site.css.map", Raw(css, reference));
        Assert.AreEqual(2, reference.Line);
        Assert.AreEqual(22, reference.Column);
    }

    [TestMethod]
    public void Source_mapping_url_comment_variants()
    {
        CollectionAssert.AreEqual(new[] { "a.map" }, Urls("/*@ sourceMappingURL=a.map*/"));
        CollectionAssert.AreEqual(new[] { "b.map" }, Urls("/*#\tsourceMappingURL=b.map   \n*/"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/*#sourceMappingURL=c.map */"), "A space after # is required.");
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/* sourceMappingURL=d.map */"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/*# sourcemappingurl=e.map */"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/*# sourceMappingURL= */"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("x{content:\"/*# sourceMappingURL=f.map */\"}"));
    }

    [TestMethod]
    public void Line_and_column_with_crlf_and_non_ascii_text()
    {
        const string css = "/* é€ */\r\nh1::before { content: \"日本\"; }\r\n\r\n.é { background: url(a.png) }\r\n\U0001F600 { b: url(b.png) }";
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan(css);
        Assert.HasCount(2, references);
        Assert.AreEqual(4, references[0].Line);
        Assert.AreEqual(".é { background: url(".Length + 1, references[0].Column);
        Assert.AreEqual(5, references[1].Line);
        Assert.AreEqual(" { b: url(".Length + 2, references[1].Column, "The emoji is one column.");
    }

    [TestMethod]
    public void Line_counting_knows_lone_cr_and_form_feed()
    {
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan("a\rb\fc\n\rurl(a.png)");
        Assert.AreEqual(5, references[0].Line);
        Assert.AreEqual(5, references[0].Column);
    }

    [TestMethod]
    public void Many_references_on_one_line_have_increasing_columns()
    {
        string css = string.Concat(Enumerable.Range(0, 1000).Select(i => $"x{i}{{a:url(i{i}.png)}}"));
        IReadOnlyList<AssetReference> references = CssReferenceScanner.Scan(css);
        Assert.HasCount(1000, references);
        Assert.IsTrue(references.All(r => r.Line == 1 && r.Column == r.Start + 1));
    }

    [TestMethod]
    public void Cdo_cdc_numbers_hashes_and_stray_closers_do_not_confuse_the_scanner()
    {
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.png" }, Urls("<!-- x{a:url(a.png)} --> ) ] } #id{margin:-1.5e+3px 10%;b:url(b.png)} .-x{c:url(c.png)}"));
    }

    [TestMethod]
    public void A_nul_character_is_read_as_the_replacement_character()
    {
        Assert.AreEqual("a\uFFFD.png", Single("x{a:url(a\0.png)}").Url);
    }
}
