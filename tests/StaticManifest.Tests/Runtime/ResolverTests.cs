using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Runtime;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

[TestClass]
public sealed class ResolverTests
{
    [TestMethod]
    public void A_hit_gives_the_fingerprinted_URL_and_integrity_as_one_cached_instance()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample());

        ResolvedStaticAsset css = resolver.Resolve("css/site.css");

        Assert.AreEqual("/static/css/site.0123456789ab.css", css.Url);
        Assert.AreEqual(Integrity("css/site.0123456789ab.css"), css.Integrity);
        Assert.AreEqual("css/site.css", css.LogicalPath);
        Assert.IsTrue(css.IsInManifest);
        Assert.AreEqual("text/css", css.Asset.ContentType);
        Assert.AreSame(css, resolver.Resolve("css/site.css"), "A hit returns the instance built when the manifest loaded.");
        Assert.AreEqual(css.Url, resolver.GetUrl("css/site.css"));
        Assert.AreEqual(css.Url, css.ToString());
    }

    [TestMethod]
    [DataRow("/static/", "/static/js/app.abcdefabcdef.js")]
    [DataRow("/", "/js/app.abcdefabcdef.js")]
    [DataRow("/app/static/", "/app/static/js/app.abcdefabcdef.js")]
    [DataRow("https://cdn.example.com/static/", "https://cdn.example.com/static/js/app.abcdefabcdef.js")]
    [DataRow("https://cdn.example.com/", "https://cdn.example.com/js/app.abcdefabcdef.js")]
    [DataRow("http://localhost:8080/s/", "http://localhost:8080/s/js/app.abcdefabcdef.js")]
    public void The_base_URL_is_a_path_or_an_absolute_CDN_URL(string baseUrl, string expected)
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), baseUrl);

        Assert.AreEqual(expected, resolver.GetUrl("js/app.js"));
    }

    [TestMethod]
    public void A_leading_slash_is_ignored_and_gives_the_same_instance()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample());

        Assert.AreSame(resolver.Resolve("img/logo.png"), resolver.Resolve("/img/logo.png"));
        Assert.ThrowsExactly<StaticAssetNotFoundException>(() => resolver.Resolve("//img/logo.png"), "Only one slash is dropped: '//x' is a protocol-relative URL, not a path.");
    }

    [TestMethod]
    [DataRow("fonts/a.woff2?v=1#x", "/static/fonts/a.222222222222.woff2?v=1#x")]
    [DataRow("/fonts/a.woff2?v=1", "/static/fonts/a.222222222222.woff2?v=1")]
    [DataRow("fonts/a.woff2#iefix", "/static/fonts/a.222222222222.woff2#iefix")]
    [DataRow("fonts/a.woff2?#iefix", "/static/fonts/a.222222222222.woff2?#iefix")]
    [DataRow("fonts/a.woff2?", "/static/fonts/a.222222222222.woff2?")]
    public void A_query_or_fragment_is_kept_on_the_resolved_URL(string path, string expected)
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample());

        ResolvedStaticAsset font = resolver.Resolve(path);

        Assert.AreEqual(expected, font.Url);
        Assert.AreEqual("fonts/a.woff2", font.LogicalPath);
        Assert.AreEqual(Integrity("fonts/a.222222222222.woff2"), font.Integrity, "The suffix does not change the bytes, so the integrity stays.");
        Assert.IsTrue(resolver.TryResolve(path, out ResolvedStaticAsset? tried));
        Assert.AreEqual(expected, tried.Url);
    }

    [TestMethod]
    public void An_unfingerprinted_file_resolves_to_its_own_name_and_names_are_escaped()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), "https://cdn.example.com/static/");

        Assert.AreEqual("https://cdn.example.com/static/robots.txt", resolver.GetUrl("robots.txt"));
        Assert.AreEqual("https://cdn.example.com/static/img/my%20logo%20%C3%A9.333333333333.png", resolver.GetUrl("img/my logo é.png"));
        Assert.AreEqual("https://cdn.example.com/static/img/logo%402x.444444444444.png", resolver.GetUrl("img/logo@2x.png"));
    }

    [TestMethod]
    public void A_Django_manifest_resolves_without_integrity()
    {
        StaticAssetManifest django = StaticAssetManifest.Parse("""{"paths": {"admin/css/base.css": "admin/css/base.27e20196a850.css"}, "version": "1.1", "hash": "x"}"""u8);
        (StaticAssetResolver resolver, _) = CreateResolver(django);

        ResolvedStaticAsset css = resolver.Resolve("admin/css/base.css");

        Assert.AreEqual("/static/admin/css/base.27e20196a850.css", css.Url);
        Assert.IsNull(css.Integrity);
    }

    [TestMethod]
    public void A_strict_miss_throws_naming_the_path_and_the_manifest()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample());

        StaticAssetNotFoundException exception = Assert.ThrowsExactly<StaticAssetNotFoundException>(() => resolver.Resolve("/css/missing.css?v=2"));

        Assert.AreEqual("css/missing.css", exception.LogicalPath);
        Assert.AreEqual("/css/missing.css?v=2", exception.RequestedPath);
        Assert.AreEqual("memory 'test'", exception.ManifestSource);
        Assert.Contains("'css/missing.css'", exception.Message);
        Assert.Contains("(asked for '/css/missing.css?v=2')", exception.Message);
        Assert.Contains("memory 'test'", exception.Message);
        Assert.IsInstanceOfType<StaticManifestException>(exception);
        Assert.IsFalse(resolver.TryResolve("css/missing.css", out ResolvedStaticAsset? none));
        Assert.IsNull(none);
    }

    [TestMethod]
    public void A_strict_miss_that_differs_only_in_case_suggests_the_right_path()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample());

        StaticAssetNotFoundException exception = Assert.ThrowsExactly<StaticAssetNotFoundException>(() => resolver.Resolve("CSS/Site.css"));

        Assert.Contains("Did you mean 'css/site.css'?", exception.Message);
    }

    [TestMethod]
    public void A_non_strict_miss_gives_the_unhashed_URL_and_warns_once_per_path()
    {
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), "https://cdn.example.com/static/", strict: false, factory);

        ResolvedStaticAsset first = resolver.Resolve("css/missing.css");
        ResolvedStaticAsset again = resolver.Resolve("/css/missing.css");
        ResolvedStaticAsset withQuery = resolver.Resolve("css/missing.css?v=3");
        resolver.Resolve("js/other missing.js");

        Assert.AreEqual("https://cdn.example.com/static/css/missing.css", first.Url);
        Assert.IsFalse(first.IsInManifest);
        Assert.IsNull(first.Integrity);
        Assert.AreSame(first, again, "The fallback is remembered.");
        Assert.AreEqual("https://cdn.example.com/static/css/missing.css?v=3", withQuery.Url);
        Assert.AreEqual("https://cdn.example.com/static/js/other%20missing.js", resolver.GetUrl("js/other missing.js"));
        string[] warnings = [.. logs.Messages(LogLevel.Warning)];
        Assert.HasCount(2, warnings, string.Join("\n", warnings));
        Assert.Contains("css/missing.css", warnings[0]);
        Assert.Contains("memory 'test'", warnings[0]);
        Assert.IsFalse(resolver.TryResolve("css/missing.css", out _), "TryResolve never falls back.");
    }

    [TestMethod]
    public void Non_strict_misses_are_remembered_up_to_a_bound()
    {
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), strict: false, logs: factory);

        for (int i = 0; i < StaticAssetIndex.MaxRememberedMisses + 50; i++)
        {
            Assert.AreEqual($"/static/missing/{i}.css", resolver.GetUrl($"missing/{i}.css"));
        }

        Assert.AreEqual(StaticAssetIndex.MaxRememberedMisses, logs.Entries.Count(e => e.EventId.Id == 10));
        Assert.AreEqual(1, logs.Entries.Count(e => e.EventId.Id == 11), "One warning says further misses are not logged.");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("/")]
    [DataRow("?v=1")]
    [DataRow("#top")]
    public void An_empty_path_is_an_argument_error(string path)
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), strict: false);

        Assert.ThrowsExactly<ArgumentException>(() => resolver.Resolve(path));
        Assert.ThrowsExactly<ArgumentNullException>(() => resolver.Resolve(null!));
        Assert.IsFalse(resolver.TryResolve(path, out _));
    }

    [TestMethod]
    public void A_hit_allocates_nothing()
    {
        (StaticAssetResolver resolver, _) = CreateResolver(Sample(), "https://cdn.example.com/static/");
        IStaticAssetResolver viaInterface = resolver;
        string[] paths = ["css/site.css", "js/app.js", "img/logo.png", "fonts/a.woff2", "robots.txt"];
        string[] slashed = [.. paths.Select(p => "/" + p)];

        // Warm up: first use, JIT tiers and on-stack replacement all happen before the measured loops.
        for (int i = 0; i < 200_000; i++)
        {
            viaInterface.Resolve(paths[i % paths.Length]);
            viaInterface.Resolve(slashed[i % slashed.Length]);
            viaInterface.TryResolve(paths[i % paths.Length], out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            viaInterface.Resolve(paths[i % paths.Length]);
        }

        long exact = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            viaInterface.Resolve(slashed[i % slashed.Length]);
            viaInterface.TryResolve(paths[i % paths.Length], out _);
        }

        long slashedBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.AreEqual(0L, exact, "Exact-path hits allocate.");
        Assert.AreEqual(0L, slashedBytes, "Leading-slash hits (span lookup) and TryResolve allocate.");
    }
}
