namespace Wharf.CollectStatic.Tests;

/// <summary>Bad arguments: exit code 2, one message on stderr, nothing collected and nothing written.</summary>
[TestClass]
public sealed class ArgumentTests : CollectStaticTestBase
{
    [TestMethod]
    [DataRow("unknown argument '--bogus' (see --help).", "--source", "src", "--destination", "out", "--bogus")]
    [DataRow("--destination needs a value.", "--source", "src", "--destination")]
    [DataRow("--source needs a value.", "--destination", "out", "--source")]
    [DataRow("give either --destination DIR or --config FILE (with --storage NAME).", "--source", "src")]
    [DataRow("give either --destination DIR or --config FILE (with --storage NAME).", "--source", "src", "--destination", "out", "--config", "wharf.json")]
    [DataRow("--cache and --no-cache cannot be given together.", "--source", "src", "--destination", "out", "--cache", "collect.cache", "--no-cache")]
    [DataRow("--cache and --no-cache cannot be given together.", "--source", "src", "--destination", "out", "--no-cache", "--cache", "collect.cache")]
    [DataRow("Sources: at least one source folder is required.", "--destination", "out")]
    [DataRow("StaticUrl: must end with '/'; it is '/static'.", "--source", "src", "--destination", "out", "--static-url", "/static")]
    [DataRow("MaxParallelUploads: must be from 1 to 256; it is 0.", "--source", "src", "--destination", "out", "--parallel", "0")]
    [DataRow("The input string 'many' was not in a correct format.", "--source", "src", "--destination", "out", "--parallel", "many")]
    [DataRow("Value was either too large or too small for an Int32.", "--source", "src", "--destination", "out", "--parallel", "99999999999")]
    [DataRow("The configuration file 'wharf.json' was not found and is not optional.", "--source", "src", "--config", "wharf.json")]
    public async Task Bad_arguments_exit_with_2_and_say_why(string message, params string[] args)
    {
        Write("app.js", "console.log('app');\n");

        ToolRun run = await RunAsync(args);

        AssertExit(2, run);
        StringAssert.StartsWith(run.StdErr, $"wharf-collectstatic: {message}", StringComparison.Ordinal);
        Assert.AreEqual("", run.StdOut);
        Assert.IsFalse(Directory.Exists(Under("out")));
        Assert.IsFalse(Directory.Exists(Xdg));
    }

    [TestMethod]
    public async Task A_config_file_that_is_not_json_is_a_bad_argument()
    {
        Write("app.js", "console.log('app');\n");
        File.WriteAllText(Under("wharf.json"), "{ Wharf: ");

        ToolRun run = await RunAsync("--source", "src", "--config", "wharf.json");

        AssertExit(2, run);
        StringAssert.StartsWith(run.StdErr, $"wharf-collectstatic: Failed to load configuration from file '{Under("wharf.json")}'.", StringComparison.Ordinal);
        StringAssert.Contains(run.StdErr, "invalid start of a property name", StringComparison.Ordinal);
        Assert.AreEqual("", run.StdOut);
    }
}
