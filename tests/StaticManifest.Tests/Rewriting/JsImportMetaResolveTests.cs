using Wharf.StaticManifest.Rewriting;
using static Wharf.StaticManifest.Tests.Rewriting.JsScan;

namespace Wharf.StaticManifest.Tests.Rewriting;

/// <summary>The <c>import.meta.resolve('./a.js')</c> module reference: scanning, resolving and rewriting.</summary>
[TestClass]
public sealed class JsImportMetaResolveTests
{
    // ---- What is a reference ----------------------------------------------------------------------------------------

    [TestMethod]
    public void The_argument_is_the_reference()
    {
        const string js = "const worker = import.meta.resolve('./workers/w.js');";
        AssetReference reference = Single(js);
        Assert.AreEqual(AssetReferenceKind.JsImportMetaResolve, reference.Kind);
        Assert.AreEqual("./workers/w.js", reference.Url);
        Assert.AreEqual("./workers/w.js", Raw(js, reference));
        Assert.AreEqual('\'', reference.Quote);
        Assert.AreEqual(js.IndexOf("./workers", StringComparison.Ordinal), reference.Start);
        Assert.AreEqual(1, reference.Line);
        Assert.AreEqual(js.IndexOf("./workers", StringComparison.Ordinal) + 1, reference.Column);
    }

    [TestMethod]
    public void Double_quotes_and_a_template_without_substitutions()
    {
        AssetReference doubleQuoted = Single("import.meta.resolve(\"../a.js\")");
        Assert.AreEqual("../a.js", doubleQuoted.Url);
        Assert.AreEqual('"', doubleQuoted.Quote);

        const string js = "import.meta.resolve(`./b.css`)";
        AssetReference template = Single(js);
        Assert.AreEqual("./b.css", template.Url);
        Assert.AreEqual('`', template.Quote);
        Assert.AreEqual("./b.css", Raw(js, template));
    }

    [TestMethod]
    public void Relative_and_absolute_specifiers_are_references_and_bare_ones_are_not()
    {
        // A module specifier, as for import(): a bare one names a package (import maps, node_modules), not a file.
        CollectionAssert.AreEqual(
            new[] { "./a.js", "../b.js", "/static/c.js", "//cdn.example/d.js" },
            Urls("""
                import.meta.resolve('./a.js');
                import.meta.resolve('../b.js');
                import.meta.resolve('/static/c.js');
                import.meta.resolve('//cdn.example/d.js');
                import.meta.resolve('lodash');
                import.meta.resolve('lodash/fp.js');
                import.meta.resolve('@scope/pkg');
                import.meta.resolve('e.js');
                import.meta.resolve('https://cdn.example/f.js');
                import.meta.resolve('node:fs');
                import.meta.resolve('');
                import.meta.resolve('.');
                """));
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan("import.meta.resolve('./a.js'); import('./b.js')");
        CollectionAssert.AreEqual(
            new[] { AssetReferenceKind.JsImportMetaResolve, AssetReferenceKind.JsDynamicImport },
            references.Select(r => r.Kind).ToArray());
    }

    [TestMethod]
    public void Whitespace_comments_and_line_breaks_between_the_tokens()
    {
        const string js = "import /* a */ . /* b */ meta // c\n . resolve /* d */ (\n  // e\n  './a.js' /* f */\n)";
        AssetReference reference = Single(js);
        Assert.AreEqual("./a.js", reference.Url);
        Assert.AreEqual(4, reference.Line);
        Assert.AreEqual(4, reference.Column);
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("import\n.\nmeta\n.\nresolve\n(\n'./b.js'\n)"));
        CollectionAssert.AreEqual(new[] { "./c.js" }, Urls("import\t.meta\u00A0.resolve(\t'./c.js'\u2028)"));
    }

    [TestMethod]
    public void A_trailing_comma_is_allowed_and_a_second_argument_is_not()
    {
        // Node's experimental second argument resolved against another parent: not the module's own URL.
        CollectionAssert.AreEqual(new[] { "./a.js" }, Urls("import.meta.resolve(\n  './a.js',\n);"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve('./b.js', parent); import.meta.resolve('./c.js',,); import.meta.resolve('./d.js', import.meta.url)"));
    }

    [TestMethod]
    public void Minified_code()
    {
        CollectionAssert.AreEqual(
            new[] { "./a.js", "./b.js", "../c.css" },
            Urls("const a=import.meta.resolve(\"./a.js\"),b=new Worker(import.meta.resolve(\"./b.js\"),{type:\"module\"});x(import.meta.resolve(`../c.css`)+\"\")"));
    }

    [TestMethod]
    public void Nested_in_calls_and_expressions()
    {
        const string js = """
            const w = new Worker(import.meta.resolve('./worker.js'), { type: 'module' });
            link.href = String(import.meta.resolve("./theme.css"));
            navigator.serviceWorker.register(import.meta.resolve('../sw.js'), { scope: '/' });
            const m = await import(import.meta.resolve('./lazy.js'));
            const u = new URL(import.meta.resolve('./data.json'), import.meta.url);
            const v = new URL('./x.png', import.meta.resolve('./base.js'));
            const html = `<script src="${import.meta.resolve('./in.js')}"></script>`;
            """;
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(
            new[] { "./worker.js", "./theme.css", "../sw.js", "./lazy.js", "./data.json", "./base.js", "./in.js" },
            references.Select(r => r.Url).ToArray());
        Assert.IsTrue(references.All(r => r.Kind == AssetReferenceKind.JsImportMetaResolve));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6, 7 }, references.Select(r => r.Line).ToArray());
    }

    [TestMethod]
    public void Mixed_with_imports_in_offset_order()
    {
        const string js = "import a from './a.js';\nconst r = import.meta.resolve('./r.js');\nexport * from './b.js';\nconst u = new URL('./u.png', import.meta.url);\nimport('./c.js');\n//# sourceMappingURL=app.js.map";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(new[] { "./a.js", "./r.js", "./b.js", "./u.png", "./c.js", "app.js.map" }, references.Select(r => r.Url).ToArray());
        CollectionAssert.AreEqual(
            new[] { AssetReferenceKind.JsImport, AssetReferenceKind.JsImportMetaResolve, AssetReferenceKind.JsExport, AssetReferenceKind.JsNewUrl, AssetReferenceKind.JsDynamicImport, AssetReferenceKind.JsSourceMappingUrl },
            references.Select(r => r.Kind).ToArray());
    }

    // ---- What is not -----------------------------------------------------------------------------------------------

    [TestMethod]
    public void Not_inside_comments_strings_template_text_or_regular_expressions()
    {
        const string js = """
            // import.meta.resolve('./a.js')
            /* import.meta.resolve('./b.js') */
            /** @example import.meta.resolve("./c.js") */
            const s1 = "import.meta.resolve('./d.js')";
            const s2 = 'import.meta.resolve("./e.js")';
            const t = `import.meta.resolve('./f.js') ${ "import.meta.resolve('./g.js')" } import.meta.resolve(\`./h.js\`)`;
            const r = /import.meta.resolve\('.\/i.js'\)/g;
            if (ok) /import\.meta\.resolve\("\.\/j.js"\)/.test(src);
            const e = 'it\'s import.meta.resolve(\'./k.js\')';
            """;
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls(js));
    }

    [TestMethod]
    public void Not_another_member_chain_or_a_look_alike()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            import.meta?.resolve('./a.js');
            import.meta.resolve?.('./b.js');
            import.meta['resolve']('./c.js');
            import.meta["resolve"]('./d.js');
            foo.import.meta.resolve('./e.js');
            foo?.import.meta.resolve('./f.js');
            Import.meta.resolve('./g.js');
            import.Meta.resolve('./h.js');
            import.meta.Resolve('./i.js');
            import.meta.resolveSync('./j.js');
            import.meta.resolver('./k.js');
            import.metadata.resolve('./l.js');
            import.meta.url.resolve('./m.js');
            import.meta.env.resolve('./n.js');
            import...meta.resolve('./o.js');
            import.meta..resolve('./p.js');
            import.meta.resolve.call(null, './q.js');
            import.meta.resolve.bind(null)('./r.js');
            const resolve = import.meta.resolve; resolve('./s.js');
            require.resolve('./t.js');
            meta.resolve('./u.js');
            """));
    }

    [TestMethod]
    public void Not_with_a_substitution_or_an_expression_as_the_argument()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("""
            import.meta.resolve(`./${name}.js`);
            import.meta.resolve(`./a${''}.js`);
            import.meta.resolve(path);
            import.meta.resolve('./a' + ext);
            import.meta.resolve(('./b.js'));
            import.meta.resolve('./c.js' + '');
            import.meta.resolve(cond ? './d.js' : './e.js');
            import.meta.resolve(...['./f.js']);
            import.meta.resolve(`./g.js`.trim());
            import.meta.resolve();
            """));
    }

    [TestMethod]
    public void Unfinished_forms_give_nothing_and_do_not_swallow_what_follows()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve('./a.js'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve('./a.js"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve('./a.js\n')"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve(`./a.js)"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve(/* './a.js')"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.resolve"));
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("import.meta.resolve('./a.js'\nimport './b.js'"));
        CollectionAssert.AreEqual(new[] { "./b.js" }, Urls("import.meta\nimport './b.js'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import.meta.\nimport './b.js'"), "A property named import.");
        CollectionAssert.AreEqual(new[] { "./c.js" }, Urls("import.meta.resolve(import('./c.js'))"));
        CollectionAssert.AreEqual(new[] { "./d.js" }, Urls("import.meta.resolve(import.meta.resolve('./d.js'))"));
    }

    [TestMethod]
    public void A_regular_expression_or_a_division_after_it_keeps_the_lexer_in_step()
    {
        CollectionAssert.AreEqual(
            new[] { "./a.js", "./b.js" },
            Urls("x = import.meta.resolve('./a.js').length / 2 / y; z = /'/.test(s); w = import.meta.resolve('./b.js') / 1;"));
    }

    // ---- Spans, escapes and positions --------------------------------------------------------------------------------

    [TestMethod]
    public void Escapes_are_decoded_and_the_span_is_the_raw_text()
    {
        const string js = "import.meta.resolve('.\\/lib\\/a\\u002ejs\\x3Fv=1')";
        AssetReference reference = Single(js);
        Assert.AreEqual("./lib/a.js?v=1", reference.Url);
        Assert.AreEqual(".\\/lib\\/a\\u002ejs\\x3Fv=1", Raw(js, reference));
        Assert.AreEqual("./it's.js", Single("import.meta.resolve('./it\\'s.js')").Url);
        Assert.AreEqual("./a${b}.js", Single("import.meta.resolve(`./a\\${b}.js`)").Url, "An escaped ${ is text, not a substitution.");
    }

    [TestMethod]
    public void Line_and_column_with_crlf_and_non_ascii_text()
    {
        const string crlf = "// ünïcödé \U0001F600\r\nconst s = '日本';\r\n\r\nconst u = import.meta.resolve(\r\n\t'./ï\U0001F600.js',\r\n);\r\nconst v = import.meta.resolve('./b.js');";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(crlf);
        Assert.HasCount(2, references);
        Assert.AreEqual("./ï\U0001F600.js", references[0].Url);
        Assert.AreEqual(5, references[0].Line);
        Assert.AreEqual(3, references[0].Column, "A tab and the quote come before it.");
        Assert.AreEqual(7, references[1].Line);
        Assert.AreEqual("const v = import.meta.resolve('".Length + 1, references[1].Column);
        Assert.AreEqual("./b.js", Raw(crlf, references[1]));
    }

    [TestMethod]
    public void A_source_map_comment_inside_the_form_keeps_the_references_in_offset_order()
    {
        const string js = "import.meta.resolve('./a.js' /*# sourceMappingURL=x.map */); import.meta.resolve(/*# sourceMappingURL=y.map */ './b.js')";
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        CollectionAssert.AreEqual(new[] { "./a.js", "x.map", "y.map", "./b.js" }, references.Select(r => r.Url).ToArray());
        Assert.AreEqual(js, ReferenceRewriter.Apply(js, references.Select(r => new ReferenceReplacement(r, Raw(js, r)))));
    }

    // ---- Resolving and rewriting -----------------------------------------------------------------------------------

    [TestMethod]
    public void A_module_is_rewritten_with_its_queries_fragments_and_quotes_kept()
    {
        const string js = """
            const a = import.meta.resolve('./lib/a.js');
            const b = import.meta.resolve("../css/b.css?v=3#x");
            const c = new Worker(import.meta.resolve(`./c.js`), { type: 'module' });
            const d = import.meta.resolve('/static/js/d.js');
            const e = import.meta.resolve('/elsewhere/e.js');
            const f = import.meta.resolve('lodash');
            const g = import.meta.resolve('https://cdn.example/g.js');
            // import.meta.resolve('./h.js')
            const i = "import.meta.resolve('./i.js')";
            const j = import.meta?.resolve('./j.js');
            """;
        const string expected = """
            const a = import.meta.resolve('./lib/a.0123456789ab.js');
            const b = import.meta.resolve("../css/b.0123456789ab.css?v=3#x");
            const c = new Worker(import.meta.resolve(`./c.0123456789ab.js`), { type: 'module' });
            const d = import.meta.resolve('/static/js/d.0123456789ab.js');
            const e = import.meta.resolve('/elsewhere/e.js');
            const f = import.meta.resolve('lodash');
            const g = import.meta.resolve('https://cdn.example/g.js');
            // import.meta.resolve('./h.js')
            const i = "import.meta.resolve('./i.js')";
            const j = import.meta?.resolve('./j.js');
            """;
        Assert.AreEqual(expected, Rewrite(js));
    }

    [TestMethod]
    public void The_replacement_is_escaped_for_each_quote()
    {
        Assert.AreEqual("import.meta.resolve('./it\\'s.0123456789ab.js')", Rewrite("import.meta.resolve('./it\\'s.js')"));
        Assert.AreEqual("import.meta.resolve(\"./it's.0123456789ab.js\")", Rewrite("import.meta.resolve(\"./it's.js\")"));
        Assert.AreEqual("import.meta.resolve(`./a.0123456789ab.js?\\`\\${x}`)", Rewrite("import.meta.resolve(`./a.js?\\`\\${x}`)"));
    }

    [TestMethod]
    public void Every_prefix_of_a_module_with_import_meta_resolve_scans()
    {
        const string js = "new Worker(import.meta.resolve(`./w.js`),{type:'module'});x=import /*c*/ . meta . resolve ( './a.js' ,).length/2;";
        for (int length = 0; length <= js.Length; length++)
        {
            string text = js[..length];
            IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(text);
            Assert.AreEqual(text, ReferenceRewriter.Apply(text, references.Select(r => new ReferenceReplacement(r, Raw(text, r)))));
            Assert.IsTrue(references.All(r => r.Length > 0 && r.End <= text.Length));
        }

        CollectionAssert.AreEqual(new[] { "./w.js", "./a.js" }, Urls(js));
    }
}
