using System.Text;
using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Tests.Rewriting;

/// <summary>Property-style tests: random text never makes a scanner throw, and every reference is well-formed.</summary>
[TestClass]
public sealed class ScannerRobustnessTests
{
    // Fragments that drive the tokenizers into their interesting states.
    private static readonly string[] s_fragments =
    [
        "url(", "URL(", "url( \"", "url('", ")", "(", "\"", "'", "`", "\\", "\\31 ", "\\\n", "/*", "*/", "//", "/", "\n", "\r\n", "\r", "\f",
        "@import ", "@IMPORT", "image-set(", "src(", "format(", "{", "}", "[", "]", ";", ",", " ", "\t", "a.png", "./x.js", "../y.js", "/static/z.css",
        "import ", "export ", "from ", " * as n ", "import(", "import.meta", ".import(", "${", "`${", "#", "#!", "-->", "<!--", "-", "+", "1e3", ".5",
        "return ", "if (", "=>", "++", "?.", "//# sourceMappingURL=", "/*# sourceMappingURL=", "\u2028", "\u2029", "\0", "\uD83D\uDE00", "\uD800", "\uDC00",
        "é", "日本", "\u00A0", "\uFEFF", "\\u{61}", "\\x41", "a", "b", "x",
        "new ", "URL(", "new URL(", ", import.meta.url)", "import.meta.url", ",)", "new Worker(",
        "import.meta.resolve(", ".resolve(", "meta", "import.meta?.resolve(",
    ];

    private static string RandomText(Random random, int length, bool fragments)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            if (fragments && random.Next(3) != 0)
            {
                builder.Append(s_fragments[random.Next(s_fragments.Length)]);
            }
            else
            {
                int kind = random.Next(10);
                builder.Append(kind switch
                {
                    < 6 => (char)random.Next(0x20, 0x7F),
                    < 8 => (char)random.Next(0, 0x20),
                    _ => (char)random.Next(0x80, 0x10000),
                });
            }
        }

        return builder.ToString();
    }

    private static void AssertWellFormed(string text, IReadOnlyList<AssetReference> references)
    {
        int previousEnd = 0;
        foreach (AssetReference reference in references)
        {
            Assert.IsGreaterThanOrEqualTo(previousEnd, reference.Start, "References are in order and do not overlap.");
            Assert.IsGreaterThan(0, reference.Length);
            Assert.IsLessThanOrEqualTo(text.Length, reference.End);
            Assert.IsGreaterThanOrEqualTo(1, reference.Line);
            Assert.IsGreaterThanOrEqualTo(1, reference.Column);
            Assert.IsNotNull(reference.Url);
            previousEnd = reference.End;
        }

        // The spans can always be rewritten, and replacing each by itself gives the text back.
        string same = ReferenceRewriter.Apply(text, references.Select(r => new ReferenceReplacement(r, text.Substring(r.Start, r.Length))));
        Assert.AreEqual(text, same);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void Random_text_never_throws_and_spans_stay_inside_the_text(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 400; i++)
        {
            string text = RandomText(random, random.Next(0, 400), fragments: i % 4 != 0);
            AssertWellFormed(text, CssReferenceScanner.Scan(text));
            AssertWellFormed(text, JsReferenceScanner.Scan(text));
            foreach (AssetReference reference in CssReferenceScanner.Scan(text).Concat(JsReferenceScanner.Scan(text)))
            {
                if (ReferenceResolver.TryResolve("a/b.css", reference.Url, "/static/", out ResolvedReference resolved))
                {
                    Assert.IsFalse(string.IsNullOrEmpty(resolved.TargetPath));
                    Assert.IsFalse(resolved.TargetPath.StartsWith('/'));
                    Assert.IsFalse(resolved.TargetPath.Split('/').Any(s => s is "" or "." or ".."));
                    Assert.IsNotNull(ReferenceResolver.FormatReplacement(reference, resolved, "x/" + resolved.TargetPath));
                }
            }
        }
    }

    [TestMethod]
    public void Every_prefix_of_a_real_style_sheet_and_module_scans()
    {
        const string css = "@import 'a.css';x{b:url( \"c\\31 .png\" ) image-set('d.png' 1x)}/* e */\r\n/*# sourceMappingURL=f.map */";
        const string js = "import a from './a.js';x=`${`${'b'}`}`/2/1;import('./c.js');u=new URL('e.png',import.meta.url,)/2;r=/[/]'/g;//# sourceMappingURL=d.map";
        for (int length = 0; length <= css.Length; length++)
        {
            AssertWellFormed(css[..length], CssReferenceScanner.Scan(css[..length]));
            AssertWellFormed(css[..length], JsReferenceScanner.Scan(css[..length]));
        }

        for (int length = 0; length <= js.Length; length++)
        {
            AssertWellFormed(js[..length], JsReferenceScanner.Scan(js[..length]));
            AssertWellFormed(js[..length], CssReferenceScanner.Scan(js[..length]));
        }
    }

    [TestMethod]
    public void Deep_nesting_does_not_overflow()
    {
        string deep = new string('(', 200_000) + "url(a.png)" + new string('{', 200_000) + new string('`', 1) + string.Concat(Enumerable.Repeat("${`", 50_000));
        AssertWellFormed(deep, CssReferenceScanner.Scan(deep));
        AssertWellFormed(deep, JsReferenceScanner.Scan(deep));
    }
}
