using Wharf.StaticManifest.Rewriting;
using static Wharf.StaticManifest.Tests.Rewriting.JsScan;

namespace Wharf.StaticManifest.Tests.Rewriting;

[TestClass]
public sealed class JsReferenceScannerTests
{
    [TestMethod]
    public void Default_import()
    {
        const string js = "import x from './a.js';";
        AssetReference reference = Single(js);
        Assert.AreEqual(AssetReferenceKind.JsImport, reference.Kind);
        Assert.AreEqual("./a.js", reference.Url);
        Assert.AreEqual("./a.js", Raw(js, reference));
        Assert.AreEqual('\'', reference.Quote);
        Assert.AreEqual(js.IndexOf("./a.js", StringComparison.Ordinal), reference.Start);
    }

    [TestMethod]
    public void Named_imports()
    {
        AssetReference reference = Single("import {a, b as c, \"d-e\" as f} from \"./b.js\"");
        Assert.AreEqual(AssetReferenceKind.JsImport, reference.Kind);
        Assert.AreEqual("./b.js", reference.Url);
        Assert.AreEqual('"', reference.Quote);
    }

    [TestMethod]
    public void Namespace_import_with_and_without_spaces()
    {
        CollectionAssert.AreEqual(new[] { "./c.js", "./c2.js" }, Urls("import * as n from './c.js'\nimport*as m from'./c2.js'"));
    }

    [TestMethod]
    public void Default_plus_named_and_default_plus_namespace_imports()
    {
        CollectionAssert.AreEqual(new[] { "./a.js", "./b.js" }, Urls("import x, {y} from './a.js'; import z, * as w from './b.js';"));
    }

    [TestMethod]
    public void Side_effect_import()
    {
        AssetReference reference = Single("import './f.js';");
        Assert.AreEqual(AssetReferenceKind.JsImport, reference.Kind);
        Assert.AreEqual("./f.js", reference.Url);
    }

    [TestMethod]
    public void Re_exports()
    {
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan("export {x} from './d.js';\nexport * from './e.js'\nexport * as ns from '../n.js'\nexport {default as y, z} from \"/static/z.js\"");
        CollectionAssert.AreEqual(new[] { "./d.js", "./e.js", "../n.js", "/static/z.js" }, references.Select(r => r.Url).ToArray());
        Assert.IsTrue(references.All(r => r.Kind == AssetReferenceKind.JsExport));
    }

    [TestMethod]
    public void Local_exports_are_not_references_and_do_not_swallow_the_next_statement()
    {
        CollectionAssert.AreEqual(new[] { "./a.js" }, Urls("export {x}\nimport './a.js'\nexport const from = './b.js';\nexport default './c.js';"));
    }

    [TestMethod]
    public void Multiline_imports_with_comments()
    {
        const string js = """
            import {
              a, // first
              b, /* second */
              c,
            } from
              './multi.js';
            """;
        Assert.AreEqual("./multi.js", Single(js).Url);
        Assert.AreEqual(6, Single(js).Line);
    }

    [TestMethod]
    public void Dynamic_import()
    {
        const string js = "const m = await import('./g.js');";
        AssetReference reference = Single(js);
        Assert.AreEqual(AssetReferenceKind.JsDynamicImport, reference.Kind);
        Assert.AreEqual("./g.js", Raw(js, reference));
    }

    [TestMethod]
    public void Dynamic_import_with_a_comment_and_with_options()
    {
        CollectionAssert.AreEqual(new[] { "./x.js", "./y.json" }, Urls("import(/* webpackChunkName: \"x\" */ './x.js'); import('./y.json', { with: { type: 'json' } });"));
    }

    [TestMethod]
    public void Dynamic_import_of_a_template_without_substitutions()
    {
        const string js = "import(`./t.js`)";
        AssetReference reference = Single(js);
        Assert.AreEqual('`', reference.Quote);
        Assert.AreEqual("./t.js", reference.Url);
    }

    [TestMethod]
    public void Dynamic_import_of_an_expression_is_not_a_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import(`./${name}.js`); import('./a' + b); import(name); import('./c.js' + '')"));
    }

    [TestMethod]
    public void Dynamic_import_inside_a_substitution_is_a_reference()
    {
        CollectionAssert.AreEqual(new[] { "./in.js" }, Urls("const t = `a ${ await import('./in.js') } b`;"));
    }

    [TestMethod]
    public void Bare_specifiers_and_urls_are_not_references()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import React from 'react'; import 'lodash/x.js'; export * from '@scope/p'; import('https://cdn/x.js'); import '.'; import('');"));
    }

    [TestMethod]
    public void Imports_inside_strings_comments_and_templates_are_not_references()
    {
        const string js = """
            const a = "import './x.js'";
            const b = 'export * from "./y.js"';
            // import './c.js'
            /* import d from './d.js' */
            const e = `import('./e.js') ${ "import('./x.js')" } import './f.js'`;
            const f = `${ `${ 'import("./g.js")' }` } import('./h.js')`;
            """;
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls(js));
    }

    [TestMethod]
    public void Nested_templates_end_where_they_should()
    {
        CollectionAssert.AreEqual(new[] { "./after.js" }, Urls("let s = `${ a ? `x${ {b: 1}.b }y` : '}' }`; import './after.js';"));
    }

    [TestMethod]
    public void Imports_inside_regular_expressions_are_not_references()
    {
        const string js = """
            const r = /import '.\/x.js'/g;
            if (r.test(s)) /import('.\/y.js')/.exec(s);
            const c = [/[/]import '.\/z.js'/];
            x = y.replace(/\/import\//, '');
            import './real.js';
            """;
        CollectionAssert.AreEqual(new[] { "./real.js" }, Urls(js));
    }

    [TestMethod]
    public void Division_is_not_a_regular_expression()
    {
        CollectionAssert.AreEqual(new[] { "./a.js", "./b.js" }, Urls("let q = a / b / c; import './a.js'; let w = (x) / 2 / import('./b.js');"));
        CollectionAssert.AreEqual(new[] { "./c.js" }, Urls("n = arr[0] / 2; m = i++ / 2; k = 1e3 / 2; o = {}.x / 2; import './c.js' // /"));
    }

    [TestMethod]
    public void A_regular_expression_after_a_block_or_a_keyword()
    {
        CollectionAssert.AreEqual(new[] { "./ok.js" }, Urls("function f() {}\n/import '.\\/no.js'/.test(s);\nreturn /import './no2.js'/;\nimport './ok.js';"));
        CollectionAssert.AreEqual(new[] { "./ok.js" }, Urls("x = typeof /'/ ; import './ok.js'; // '"));
    }

    [TestMethod]
    public void Real_world_regular_expressions_with_quotes_and_slashes_keep_the_lexer_in_step()
    {
        const string js = """
            var rescape = /[\-\[\]\/\{\}\(\)\*\+\?\.\\\^\$\|]/g, rquote = /'/g, rdq = /"/;
            s = s.replace(rquote, "\\'").replace(/`/g, '\\`');
            for (const m of list) /["'`]/.test(m) && n++;
            while (i--) /\/\*/.exec(x);
            const t = `${ /}`/.source }${ a / b }`;
            o = { re: /import '.\/no.js'/ }.re / 2;
            import('./yes.js');
            """;
        CollectionAssert.AreEqual(new[] { "./yes.js" }, Urls(js));
    }

    [TestMethod]
    public void A_wrong_regular_expression_guess_recovers_at_the_end_of_the_line()
    {
        // x.return is a property, so the slash is a division; even if taken as a regex it would not end on its line.
        CollectionAssert.AreEqual(new[] { "./ok.js" }, Urls("a = x.return / 2;\nimport './ok.js';"));
    }

    [TestMethod]
    public void Import_meta_and_property_calls_are_not_references()
    {
        // new URL('./a.png', import.meta.url) is a reference of its own kind: see JsNewUrlTests.
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("const u = import.meta.url; import.meta('./a.js'); obj.import('./x'); obj?.import('./y.js'); x.from('./z.js'); a.export * from('./w.js')"));
    }

    [TestMethod]
    public void Import_and_from_as_names_do_not_confuse_the_recogniser()
    {
        CollectionAssert.AreEqual(new[] { "./a.js", "./b.js" }, Urls("const o = { import: 1, from: './no.js' }; import from from './a.js'; import {from as f} from './b.js'; class C { import() {} }"));
    }

    [TestMethod]
    public void Odd_syntax_does_not_crash_and_gives_no_reference()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("export default from './x.js'; export default import; import; export; import from './y.js'; import {a from './z.js'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import("));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import('./x.js'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import x from './x.js"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("import x from './x.js\nfoo'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("`${"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("/* import './x.js'"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("}}}))) ]]] import"));
    }

    [TestMethod]
    public void Import_attributes_after_the_specifier()
    {
        CollectionAssert.AreEqual(new[] { "./data.json", "./next.js" }, Urls("import data from './data.json' with { type: 'json' };\nimport './next.js';"));
    }

    [TestMethod]
    public void Escapes_in_specifiers_are_decoded_and_the_span_is_raw()
    {
        const string js = "import '.\\/a\\u0062\\x63\\u{64}.js';";
        AssetReference reference = Single(js);
        Assert.AreEqual("./abcd.js", reference.Url);
        Assert.AreEqual(".\\/a\\u0062\\x63\\u{64}.js", Raw(js, reference));
    }

    [TestMethod]
    public void Source_mapping_url_comments()
    {
        const string js = "console.log(1);\n//# sourceMappingURL=app.js.map\n";
        AssetReference reference = Single(js);
        Assert.AreEqual(AssetReferenceKind.JsSourceMappingUrl, reference.Kind);
        Assert.AreEqual("app.js.map", Raw(js, reference));
        Assert.AreEqual(2, reference.Line);
        Assert.AreEqual(22, reference.Column);
        CollectionAssert.AreEqual(new[] { "old.map" }, Urls("//@ sourceMappingURL=old.map"));
        CollectionAssert.AreEqual(new[] { "block.map" }, Urls("/*# sourceMappingURL=block.map */"));
        CollectionAssert.AreEqual(new[] { "crlf.map" }, Urls("//# sourceMappingURL=crlf.map\r\n"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("const s = '//# sourceMappingURL=no.map';"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("// # sourceMappingURL=no.map"));
    }

    [TestMethod]
    public void A_hashbang_is_a_comment()
    {
        CollectionAssert.AreEqual(new[] { "./a.js" }, Urls("#!/usr/bin/env node import './no.js'\nimport './a.js'"));
    }

    [TestMethod]
    public void Private_names_called_import_are_not_imports()
    {
        CollectionAssert.AreEqual(Array.Empty<string>(), Urls("class A { #import = 1; m() { return this.#import('./x.js'); } }"));
    }

    [TestMethod]
    public void Line_and_column_with_crlf_and_non_ascii_text()
    {
        const string js = "// ünïcödé \U0001F600\r\nconst s = '日本';\r\n\u2028\U0001F600 import('./a.js')";
        AssetReference reference = Single(js);
        Assert.AreEqual(4, reference.Line, "LS ends a line in JavaScript.");
        Assert.AreEqual(" import('".Length + 2, reference.Column);
    }

    [TestMethod]
    public void Strings_with_escaped_quotes_and_line_continuations()
    {
        CollectionAssert.AreEqual(new[] { "./a.js" }, Urls("x = 'it\\'s import \"./no.js\"'; y = \"a\\\r\nb\"; import './a.js';"));
    }
}
