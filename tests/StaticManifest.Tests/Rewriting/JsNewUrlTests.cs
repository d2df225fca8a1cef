using Wharf.StaticManifest.Rewriting;
using static Wharf.StaticManifest.Tests.Rewriting.JsScan;

namespace Wharf.StaticManifest.Tests.Rewriting;

/// <summary>The <c>new URL('./a.png', import.meta.url)</c> asset reference: scanning, resolving and rewriting.</summary>
[TestClass]
public sealed class JsNewUrlTests
{
    // ---- What is a reference ----------------------------------------------------------------------------------------

    [TestMethod]
    public void The_first_argument_is_the_reference()
    {
        const string js = "const logo = new URL('./img/logo.png', import.meta.url);";
        AssetReference reference = Single(js);
        Assert.AreEqual(AssetReferenceKind.JsNewUrl, reference.Kind);
        Assert.AreEqual("./img/logo.png", reference.Url);
        Assert.AreEqual("./img/logo.png", Raw(js, reference));
        Assert.AreEqual('\'', reference.Quote);
        Assert.AreEqual(js.IndexOf("./img", StringComparison.Ordinal), reference.Start);
        Assert.AreEqual(1, reference.Line);
        Assert.AreEqual(js.IndexOf("./img", StringComparison.Ordinal) + 1, reference.Column);
    }

    [TestMethod]
    public void Double_quotes_and_a_template_without_substitutions()
    {
        AssetReference doubleQuoted = Single("new URL(\"../a.woff2\", import.meta.url)");
        Assert.AreEqual("../a.woff2", doubleQuoted.Url);
        Assert.AreEqual('"', doubleQuoted.Quote);

        const string js = "new URL(`./b.wasm`, import.meta.url)";
        AssetReference template = Single(js);
        Assert.AreEqual("./b.wasm", template.Url);
        Assert.AreEqual('`', template.Quote);
        Assert.AreEqual("./b.wasm", Raw(js, template));
    }

    [TestMethod]
    public void Bare_absolute_and_external_urls_are_reported_for_the_resolver_to_classify()
    {
        // Unlike an import specifier, a bare URL here is relative to the module (wasm-bindgen and Emscripten write
        // new URL('x_bg.wasm', import.meta.url)); the resolver leaves alone what has a scheme or names no file.
        CollectionAssert.AreEqual(
            new[] { "a.wasm", "img/b.png", "/static/c.png", "https://cdn.example/d.png", "//cdn.example/e.png", "data:,f", "#g", "?h", "." },
            Urls("""
                new URL('a.wasm', import.meta.url);
                new URL('img/b.png', import.meta.url);
                new URL('/static/c.png', import.meta.url);
                new URL('https://cdn.example/d.png', import.meta.url);
                new URL('//cdn.example/e.png', import.meta.url);
                new URL('data:,f', import.meta.url);
                new URL('#g', import.meta.url);
                new URL('?h', import.meta.url);
                new URL('.', import.meta.url);
                """));
    }

    [TestMethod]
    public void Whitespace_comments_and_line_breaks_between_the_tokens()
    {
        const string js = "new /* a */ URL /* b */ (\n  // c\n  './a.png' /* d */ ,\n  import /* e */ . /* f */ meta\n  .url // g\n)";
        AssetReference reference = Single(js);
        Assert.AreEqual("./a.png", reference.Url);
        Assert.AreEqual(3, reference.Line);
        Assert.AreEqual(4, reference.Column);
        CollectionAssert.AreEqual(new[] { "./b.png" }, Urls("new\nURL\n(\n'./b.png'\n,\nimport\n.\nmeta\n.\nurl\n)"));
        CollectionAssert.AreEqual(new[] { "./c.png" }, Urls("new\tURL(\t'./c.png',\u00A0import.meta.url\u2028)"));
    }

    [TestMethod]
    public void A_trailing_comma_is_allowed_and_a_third_argument_is_not()
    {
        CollectionAssert.AreEqual(new[] { "./a.png" }, Urls("new URL(\n  './a.png',\n  import.meta.url,\n);"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL('./b.png', import.meta.url, x); new URL('./c.png', import.meta.url,,)"));
    }

    [TestMethod]
    public void Minified_code()
    {
        CollectionAssert.AreEqual(
            new[] { "a.png", "./b.js", "./c.css" },
            Urls("const a=new URL(\"a.png\",import.meta.url).href,b=new Worker(new URL(\"./b.js\",import.meta.url),{type:\"module\"});x(new URL(`./c.css`,import.meta.url)+\"\")"));
    }

    [TestMethod]
    public void Inside_a_worker_a_service_worker_registration_and_other_calls()
    {
        const string js = """
            const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
            const s = new SharedWorker(new URL("./shared.js", import.meta.url), { type: "module", name: "s" });
            navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { scope: '/' });
            const wasm = await WebAssembly.instantiateStreaming(fetch(new URL('./m.wasm', import.meta.url)));
            const img = Object.assign(new Image(), { src: new URL('./i.png', import.meta.url).href });
            """;
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(new[] { "./worker.js", "./shared.js", "../sw.js", "./m.wasm", "./i.png" }, references.Select(r => r.Url).ToArray());
        Assert.IsTrue(references.All(r => r.Kind == AssetReferenceKind.JsNewUrl));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, references.Select(r => r.Line).ToArray());
    }

    [TestMethod]
    public void Mixed_with_imports_in_offset_order()
    {
        const string js = "import a from './a.js';\nconst u = new URL('./u.png', import.meta.url);\nexport * from './b.js';\nimport('./c.js');\n//# sourceMappingURL=app.js.map";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(new[] { "./a.js", "./u.png", "./b.js", "./c.js", "app.js.map" }, references.Select(r => r.Url).ToArray());
        CollectionAssert.AreEqual(
            new[] { AssetReferenceKind.JsImport, AssetReferenceKind.JsNewUrl, AssetReferenceKind.JsExport, AssetReferenceKind.JsDynamicImport, AssetReferenceKind.JsSourceMappingUrl },
            references.Select(r => r.Kind).ToArray());
    }

    [TestMethod]
    public void Inside_a_substitution_it_is_code_and_a_reference()
    {
        CollectionAssert.AreEqual(new[] { "./in.png" }, Urls("const html = `<img src=\"${new URL('./in.png', import.meta.url)}\">`;"));
    }

    // ---- What is not -----------------------------------------------------------------------------------------------

    [TestMethod]
    public void Not_inside_comments_strings_template_text_or_regular_expressions()
    {
        const string js = """
            // new URL('./a.png', import.meta.url)
            /* new URL('./b.png', import.meta.url) */
            /** @example new URL("./c.png", import.meta.url) */
            const s1 = "new URL('./d.png', import.meta.url)";
            const s2 = 'new URL("./e.png", import.meta.url)';
            const t = `new URL('./f.png', import.meta.url) ${ "new URL('./g.png', import.meta.url)" } new URL(\`./h.png\`, import.meta.url)`;
            const r = /new URL\('.\/i.png', import.meta.url\)/g;
            if (ok) /new URL("\.\/j.png", import\.meta\.url)/.test(src);
            const e = 'it\'s new URL(\'./k.png\', import.meta.url)';
            """;
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls(js));
    }

    [TestMethod]
    public void Not_with_a_substitution_or_an_expression_as_the_first_argument()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            new URL(`./${name}.png`, import.meta.url);
            new URL(`./a${''}.png`, import.meta.url);
            new URL(path, import.meta.url);
            new URL('./a' + ext, import.meta.url);
            new URL(('./b.png'), import.meta.url);
            new URL('./c.png' + '', import.meta.url);
            new URL(cond ? './d.png' : './e.png', import.meta.url);
            new URL(...['./f.png', import.meta.url]);
            new URL(`./g.png`.trim(), import.meta.url);
            """));
    }

    [TestMethod]
    public void Not_with_another_base_or_none()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            new URL('./a.png');
            new URL('./b.png', location.href);
            new URL('./c.png', document.baseURI);
            new URL('./d.png', self.location);
            new URL('./e.png', import.meta.env.BASE_URL);
            new URL('./f.png', import.meta.env);
            new URL('./g.png', import.meta);
            new URL('./h.png', import.meta.url2);
            new URL('./i.png', import.meta.urls);
            new URL('./j.png', import.meta.URL);
            new URL('./k.png', import.meta.url.href);
            new URL('./l.png', import.meta.url + '');
            new URL('./m.png', import.meta?.url);
            new URL('./n.png', Import.meta.url);
            new URL('./o.png', obj.import.meta.url);
            new URL('./p.png', 'https://example.com/');
            new URL('./q.png', import.meta.resolve(x));
            """));
    }

    [TestMethod]
    public void Not_without_new_or_with_another_constructor()
    {
        // URL(…) without new throws a TypeError, so it never yields a URL; bundlers do not recognise it either. A
        // qualified constructor (new self.URL, new globalThis.URL) is not the form bundlers recognise, so it is left too.
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            URL('./a.png', import.meta.url);
            x = URL('./b.png', import.meta.url);
            new self.URL('./c.png', import.meta.url);
            new globalThis.URL('./d.png', import.meta.url);
            new url('./e.png', import.meta.url);
            new URLSearchParams('./f.png', import.meta.url);
            new MyURL('./g.png', import.meta.url);
            o.new; URL('./h.png', import.meta.url);
            new URL.Sub('./i.png', import.meta.url);
            new.target; URL('./j.png', import.meta.url);
            """));
    }

    [TestMethod]
    public void Not_when_the_url_is_empty_or_would_be_cleaned_up_by_the_url_parser()
    {
        // The URL parser strips leading and trailing spaces and controls and removes tabs and line breaks: the text
        // would not be the URL, so it is left alone rather than resolved to a wrong name.
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            new URL('', import.meta.url);
            new URL(``, import.meta.url);
            new URL(' ./a.png', import.meta.url);
            new URL('./b.png ', import.meta.url);
            new URL('./c\n.png', import.meta.url);
            new URL('./d\t.png', import.meta.url);
            new URL(`./e
            .png`, import.meta.url);
            new URL('\x00./f.png', import.meta.url);
            """));
    }

    [TestMethod]
    public void Unfinished_forms_give_nothing_and_do_not_swallow_what_follows()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL('./a.png', import.meta.url"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL('./a.png"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL('./a.png\n', import.meta.url)"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL(`./a.png, import.meta.url)"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("new URL(/* './a.png', import.meta.url)"));
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("new URL('./a.png', import.meta\nimport './b.js'"));
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("new URL('./a.png'\nimport './b.js'"));
    }

    [TestMethod]
    public void A_broken_form_gives_the_next_tokens_their_own_meaning()
    {
        // The import keyword after the comma is a dynamic import, not import.meta.
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("new URL('./a.png', import('./b.js'))"));
        // A new URL nested where another was expected.
        CollectionAssert.AreEqual(new[] { "./b.png" }, Urls("new URL('./a.png', new URL('./b.png', import.meta.url))"));
        CollectionAssert.AreEqual(new[] { "./c.png" }, Urls("new new URL('./c.png', import.meta.url)"));
        CollectionAssert.AreEqual(new[] { "./d.js" }, Urls("new URL(import('./d.js'), import.meta.url)"));
        CollectionAssert.AreEqual(new[] { "./e.js" }, Urls("new URL('./x.png', import './e.js'"));
    }

    [TestMethod]
    public void A_regular_expression_or_a_division_after_it_keeps_the_lexer_in_step()
    {
        CollectionAssert.AreEqual(
            new[] { "./a.png", "./b.png" },
            Urls("x = new URL('./a.png', import.meta.url) / 2 / y; z = /'/.test(s); w = new URL('./b.png', import.meta.url);"));
    }

    // ---- Spans, escapes and positions --------------------------------------------------------------------------------

    [TestMethod]
    public void Escapes_are_decoded_and_the_span_is_the_raw_text()
    {
        const string js = "new URL('.\\/img\\/a\\u002epng\\x3Fv=1', import.meta.url)";
        AssetReference reference = Single(js);
        Assert.AreEqual("./img/a.png?v=1", reference.Url);
        Assert.AreEqual(".\\/img\\/a\\u002epng\\x3Fv=1", Raw(js, reference));
        Assert.AreEqual("it's.png", Single("new URL('it\\'s.png', import.meta.url)").Url);
        Assert.AreEqual("./a\"b.png", Single("new URL(\"./a\\\"b.png\", import.meta.url)").Url);
        Assert.AreEqual("./a`b.png", Single("new URL(`./a\\`b.png`, import.meta.url)").Url);
        Assert.AreEqual("./a${b}.png", Single("new URL(`./a\\${b}.png`, import.meta.url)").Url, "An escaped ${ is text, not a substitution.");
    }

    [TestMethod]
    public void Line_and_column_with_crlf_and_non_ascii_text()
    {
        const string crlf = "// ünïcödé \U0001F600\r\nconst s = '日本';\r\n\r\nconst u = new URL(\r\n\t'./ï\U0001F600.png',\r\n  import.meta.url);\r\nconst v = new URL('./b.png', import.meta.url);";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(crlf);
        Assert.HasCount(2, references);
        Assert.AreEqual("./ï\U0001F600.png", references[0].Url);
        Assert.AreEqual(5, references[0].Line);
        Assert.AreEqual(3, references[0].Column, "A tab and the quote come before it.");
        Assert.AreEqual(7, references[1].Line);
        Assert.AreEqual("const v = new URL('".Length + 1, references[1].Column);
        Assert.AreEqual("./b.png", Raw(crlf, references[1]));
    }

    [TestMethod]
    public void A_source_map_comment_inside_the_form_keeps_the_references_in_offset_order()
    {
        // The comment is read (and its reference added) before the call is known to be complete.
        const string js = "new URL('./a.png', /*# sourceMappingURL=x.map */ import.meta.url); import('./b.js' /*# sourceMappingURL=y.map */)";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(new[] { "./a.png", "x.map", "./b.js", "y.map" }, references.Select(r => r.Url).ToArray());
        Assert.AreEqual(js, ReferenceRewriter.Apply(js, references.Select(r => new ReferenceReplacement(r, Raw(js, r)))));
    }

    // ---- Resolving and rewriting -----------------------------------------------------------------------------------

    [TestMethod]
    public void Urls_resolve_against_the_module_folder_bare_ones_included()
    {
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", "a.wasm", "/static/", out ResolvedReference bare));
        Assert.AreEqual("js/a.wasm", bare.TargetPath);
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", "./img/a.png?v=2#x", "/static/", out ResolvedReference relative));
        Assert.AreEqual("js/img/a.png", relative.TargetPath);
        Assert.AreEqual("v=2", relative.Query);
        Assert.AreEqual("x", relative.Fragment);
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", "../fonts/f.woff2", "/static/", out ResolvedReference up));
        Assert.AreEqual("fonts/f.woff2", up.TargetPath);
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", "/static/img/a.png", "/static/", out ResolvedReference absolute));
        Assert.AreEqual("img/a.png", absolute.TargetPath);
        Assert.IsFalse(ReferenceResolver.TryResolve("js/app.js", "https://cdn.example/a.png", "/static/", out _));
        Assert.IsFalse(ReferenceResolver.TryResolve("js/app.js", ".", "/static/", out _));
    }

    [TestMethod]
    public void A_module_is_rewritten_with_its_queries_fragments_and_quotes_kept()
    {
        const string js = """
            const a = new URL('./img/a.png', import.meta.url);
            const b = new URL("../fonts/b.woff2?v=3#x", import.meta.url).href;
            const c = new Worker(new URL(`./c.js`, import.meta.url), { type: 'module' });
            const d = new URL('d_bg.wasm', import.meta.url);
            const e = new URL('/static/img/e.svg', import.meta.url);
            const f = new URL('https://cdn.example/f.png', import.meta.url);
            const g = new URL('./g.png', location.href);
            // new URL('./h.png', import.meta.url)
            const i = "new URL('./i.png', import.meta.url)";
            """;
        const string expected = """
            const a = new URL('./img/a.0123456789ab.png', import.meta.url);
            const b = new URL("../fonts/b.0123456789ab.woff2?v=3#x", import.meta.url).href;
            const c = new Worker(new URL(`./c.0123456789ab.js`, import.meta.url), { type: 'module' });
            const d = new URL('d_bg.0123456789ab.wasm', import.meta.url);
            const e = new URL('/static/img/e.0123456789ab.svg', import.meta.url);
            const f = new URL('https://cdn.example/f.png', import.meta.url);
            const g = new URL('./g.png', location.href);
            // new URL('./h.png', import.meta.url)
            const i = "new URL('./i.png', import.meta.url)";
            """;
        Assert.AreEqual(expected, Rewrite(js));
    }

    [TestMethod]
    public void The_replacement_is_escaped_for_each_quote()
    {
        Assert.AreEqual("new URL('./it\\'s.0123456789ab.png', import.meta.url)", Rewrite("new URL('./it\\'s.png', import.meta.url)"));
        Assert.AreEqual("new URL(\"./it's.0123456789ab.png\", import.meta.url)", Rewrite("new URL(\"./it's.png\", import.meta.url)"));
        Assert.AreEqual("new URL(\"./a.0123456789ab.png?q=\\\"\", import.meta.url)", Rewrite("new URL(\"./a.png?q=\\\"\", import.meta.url)"));
        Assert.AreEqual("new URL(`./a.0123456789ab.png?\\`\\${x}`, import.meta.url)", Rewrite("new URL(`./a.png?\\`\\${x}`, import.meta.url)"));
        Assert.AreEqual("new URL(`./a.0123456789ab.png?$`, import.meta.url)", Rewrite("new URL(`./a.png?$`, import.meta.url)"));
        Assert.AreEqual("new URL('./a.0123456789ab.png?\\\\', import.meta.url)", Rewrite("new URL('./a\\x2epng?\\\\', import.meta.url)"));
    }

    [TestMethod]
    public void A_file_name_with_spaces_or_quotes_is_percent_encoded_where_a_url_needs_it()
    {
        AssetReference reference = Single("new URL('./a%20b.png', import.meta.url)");
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", reference.Url, "/static/", out ResolvedReference resolved));
        Assert.AreEqual("js/a b.png", resolved.TargetPath);
        Assert.AreEqual("./a%20b.0123456789ab.png", ReferenceResolver.FormatReplacement(reference, resolved, "js/a b.0123456789ab.png"));
        Assert.AreEqual("./it\\'s.0123456789ab.png", ReferenceResolver.FormatReplacement(
            reference with { Quote = '\'' }, resolved, "js/it's.0123456789ab.png"));
    }

    [TestMethod]
    public void An_unknown_kind_is_refused_rather_than_escaped_for_the_wrong_language()
    {
        var reference = new AssetReference((AssetReferenceKind)200, 0, 5, "a.png", '\'', 1, 1);
        Assert.IsTrue(ReferenceResolver.TryResolve("js/app.js", reference.Url, "/static/", out ResolvedReference resolved));
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceResolver.FormatReplacement(reference, resolved, "a.0123456789ab.png"));
    }

    [TestMethod]
    public void Every_prefix_of_a_module_with_new_url_scans()
    {
        const string js = "new Worker(new URL(`./w.js`,import.meta.url),{type:'module'});x=new URL('a.png', /*c*/ import . meta . url ,).href/2;";
        for (int length = 0; length <= js.Length; length++)
        {
            string text = js[..length];
            IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(text);
            Assert.AreEqual(text, ReferenceRewriter.Apply(text, references.Select(r => new ReferenceReplacement(r, Raw(text, r)))));
            Assert.IsTrue(references.All(r => r.Length > 0 && r.End <= text.Length));
        }

        CollectionAssert.AreEqual(new[] { "./w.js", "a.png" }, Urls(js));
    }
}
