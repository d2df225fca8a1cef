using Wharf.StaticManifest.Runtime;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

[TestClass]
public sealed class ReferenceCheckTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_folder_scan_reports_every_missing_reference_with_file_and_line()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("Views/Shared"));
        Directory.CreateDirectory(folder.File("wwwroot"));
        Directory.CreateDirectory(folder.File("obj"));
        File.WriteAllText(folder.File("Views/Shared/_Layout.cshtml"), """
            <!DOCTYPE html>
            <html>
            <head>
                <link rel="stylesheet" wharf-href="css/site.css" />
                <link rel="stylesheet" wharf-href="css/sitee.css" />
                <link rel="preload" as="font" WHARF-HREF='/fonts/a.woff2?v=1#x' crossorigin />
                <!-- <link wharf-href="css/old.css"> -->
                @* <script wharf-src="js/commented.js"></script> *@
            </head>
            <body>
                <img wharf-src="img/logo@2x.png" alt="" /> <img wharf-src="img/missing.png" alt="" />
                <img wharf-src="@Model.Logo" alt="" />
                <img data-wharf-src="img/not-a-reference.png" />
                <a href="@Url.StaticAsset("docs/guide.pdf")">Guide</a>
                <script wharf-src="js/app.js"></script>
            </body>
            </html>
            """);
        File.WriteAllText(folder.File("wwwroot/offline.html"), "<p>\n<img wharf-src=\"img/offline.png\">\n</p>\n");
        File.WriteAllText(folder.File("obj/Generated.cshtml"), "<img wharf-src=\"img/generated.png\">");
        File.WriteAllText(folder.File("Views/Shared/notes.txt"), "<img wharf-src=\"img/in-a-text-file.png\">");

        StaticAssetReferenceCheckResult result = await StaticAssetReferenceCheck.VerifyFolderAsync(Sample(), folder.Path, cancellationToken: TestContext.CancellationToken);

        string[] missing = [.. result.Missing.Select(r => r.ToString())];
        CollectionAssert.AreEqual(
            new[]
            {
                "Views/Shared/_Layout.cshtml:5:40: wharf-href 'css/sitee.css'",
                "Views/Shared/_Layout.cshtml:11:64: wharf-src 'img/missing.png'",
                "Views/Shared/_Layout.cshtml:14:32: StaticAsset() 'docs/guide.pdf'",
                "wwwroot/offline.html:2:17: wharf-src 'img/offline.png'",
            },
            missing,
            result.ToString());
        Assert.HasCount(1, result.Dynamic);
        Assert.AreEqual("@Model.Logo", result.Dynamic[0].Path);
        Assert.HasCount(9, result.References);
        Assert.IsFalse(result.Succeeded);
        Assert.StartsWith("8 static asset references checked, 4 missing from the manifest, 1 dynamic (not checked).", result.ToString());
        Assert.Contains("Views/Shared/_Layout.cshtml:5:40: wharf-href 'css/sitee.css' is not in the manifest", result.ToString());
        StaticManifestException thrown = Assert.ThrowsExactly<StaticManifestException>(result.ThrowIfMissing);
        Assert.Contains("img/missing.png", thrown.Message);
    }

    [TestMethod]
    public void Razor_escapes_and_CSharp_strings_are_read_as_Razor_and_CSharp_read_them()
    {
        IReadOnlyList<StaticAssetReference> references = StaticAssetReferenceCheck.ScanText(
            "<img wharf-src=\"img/a@@b.png\">\n@Html.Raw(Url.StaticAsset( \"img/q\\\"uote.png\" ))",
            "Index.cshtml");

        Assert.AreEqual("img/a@b.png", references[0].Path);
        Assert.IsFalse(references[0].IsDynamic);
        Assert.AreEqual("img/q\"uote.png", references[1].Path);
        Assert.AreEqual(2, references[1].Line);

        IReadOnlyList<StaticAssetReference> unquoted = StaticAssetReferenceCheck.ScanText("<img wharf-src=img/unquoted.png alt=\"\"><img wharf-src=/img/b.png>", "a.cshtml");
        CollectionAssert.AreEqual(new[] { "img/unquoted.png", "/img/b.png" }, unquoted.Select(r => r.Path).ToArray());

        IReadOnlyList<StaticAssetReference> html = StaticAssetReferenceCheck.ScanText("<img wharf-src=\"@x.png\"> @* <img wharf-src=\"y.png\"> *@", "page.html");
        Assert.HasCount(2, html, "Outside Razor, '@' is a character and @* is not a comment.");
        Assert.IsFalse(html[0].IsDynamic);
    }

    [TestMethod]
    public void Paths_from_code_are_checked_as_the_resolver_normalizes_them()
    {
        StaticAssetReferenceCheckResult result = StaticAssetReferenceCheck.Verify(Sample(), ["css/site.css", "/js/app.js", "fonts/a.woff2?v=2", "css/gone.css", "?v=1"]);

        CollectionAssert.AreEqual(new[] { "css/gone.css", "?v=1" }, result.Missing.Select(r => r.Path).ToArray());
        Assert.AreEqual("css/gone.css", result.Missing[0].Location);
        Assert.IsTrue(StaticAssetReferenceCheck.Verify(Sample(), ["css/site.css"]).Succeeded);
    }

    [TestMethod]
    public async Task A_missing_folder_is_an_error()
    {
        await Assert.ThrowsExactlyAsync<DirectoryNotFoundException>(() =>
            StaticAssetReferenceCheck.ScanFolderAsync(Path.Combine(Path.GetTempPath(), "wharf-none-" + Guid.NewGuid().ToString("N")), cancellationToken: TestContext.CancellationToken));
    }
}
