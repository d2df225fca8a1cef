using System.Text.Json;

namespace Wharf.CollectStatic.Tests;

/// <summary>--config FILE --storage NAME: a storage defined under Wharf:Storages of a JSON file.</summary>
[TestClass]
public sealed class ConfigStorageTests : CollectStaticTestBase
{
    private void WriteConfig(string storage, object definition) =>
        File.WriteAllText(Under("wharf.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Wharf"] = new Dictionary<string, object> { ["Storages"] = new Dictionary<string, object> { [storage] = definition } },
        }));

    [TestMethod]
    public async Task Collects_into_a_configured_file_system_storage()
    {
        Write("css/site.css", ".logo { background: url(../img/logo.png); }\n");
        Write("img/logo.png", "logo");
        string root = Under("srv/static");
        WriteConfig("assets", new { Backend = "FileSystem", Root = root });

        ToolRun run = await RunAsync("--source", "src", "--config", "wharf.json", "--storage", "assets");

        AssertExit(0, run);
        Assert.AreEqual("", run.StdErr);
        Assert.AreEqual(new Summary(4, "storage 'assets'", 0, 1, 0, 0, 0), SummaryOf(run));
        Dictionary<string, string> paths = ManifestPaths(root);
        CollectionAssert.IsSubsetOf(new[] { "css/site.css", "img/logo.png", paths["css/site.css"], paths["img/logo.png"], "staticfiles.json" }, FilesUnder(root));
        Assert.ContainsSingle(DefaultCaches(Xdg));

        ToolRun again = await RunAsync("--source", "src", "--config", "wharf.json", "--storage", "assets");

        AssertExit(0, again);
        Assert.AreEqual(new Summary(0, "storage 'assets'", 4, 1, 0, 0, 0), SummaryOf(again));
    }

    [TestMethod]
    public async Task The_storage_is_staticfiles_unless_named()
    {
        Write("app.js", "console.log('app');\n");
        string root = Under("srv/static");
        WriteConfig("staticfiles", new { Backend = "FileSystem", Root = root });

        ToolRun run = await RunAsync("--source", "src", "--config", "wharf.json");

        AssertExit(0, run);
        Assert.AreEqual(new Summary(2, "storage 'staticfiles'", 0, 0, 0, 0, 0), SummaryOf(run));
        Assert.IsTrue(File.Exists(Path.Join(root, "staticfiles.json")));
    }

    [TestMethod]
    public async Task A_storage_the_configuration_does_not_define_fails()
    {
        Write("app.js", "console.log('app');\n");
        WriteConfig("assets", new { Backend = "FileSystem", Root = Under("srv/static") });

        ToolRun run = await RunAsync("--source", "src", "--config", "wharf.json", "--storage", "media");

        AssertExit(1, run);
        StringAssert.StartsWith(run.StdErr, "wharf-collectstatic: No storage named 'media' is configured.", StringComparison.Ordinal);
        Assert.AreEqual("", run.StdOut);
        Assert.IsFalse(Directory.Exists(Under("srv")));
    }

    [TestMethod]
    public async Task A_storage_without_its_required_options_fails()
    {
        Write("app.js", "console.log('app');\n");
        WriteConfig("assets", new { Backend = "FileSystem" });

        ToolRun run = await RunAsync("--source", "src", "--config", "wharf.json", "--storage", "assets");

        AssertExit(1, run);
        StringAssert.StartsWith(run.StdErr, "wharf-collectstatic: Wharf:Storages:assets:Root: is required", StringComparison.Ordinal);
        Assert.AreEqual("", run.StdOut);
    }
}
