using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wharf.StaticManifest.Runtime;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

[TestClass]
public sealed class DependencyInjectionTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_host_loads_the_manifest_at_start_and_reloads_it_while_running()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("static"));
        File.WriteAllBytes(folder.File("static/staticfiles.json"), SampleJson("aaaaaaaaaaaa"));
        using IHost host = CreateHost(folder.Path, new()
        {
            ["Wharf:StaticAssets:ManifestPath"] = "static",
            ["Wharf:StaticAssets:BaseUrl"] = "https://cdn.example.com/static/",
            ["Wharf:StaticAssets:ReloadInterval"] = "00:00:00.020",
        });

        await host.StartAsync(TestContext.CancellationToken);
        try
        {
            var resolver = host.Services.GetRequiredService<IStaticAssetResolver>();
            var manifests = host.Services.GetRequiredService<IStaticAssetManifestProvider>();
            Assert.AreEqual("https://cdn.example.com/static/css/site.aaaaaaaaaaaa.css", resolver.GetUrl("css/site.css"));
            Assert.AreEqual($"file '{folder.File("static/staticfiles.json")}'", manifests.Source, "A relative ManifestPath is resolved against the content root.");
            Assert.AreSame(resolver, host.Services.GetRequiredService<IStaticAssetResolver>());

            WriteAtomically(folder.File("static/staticfiles.json"), SampleJson("bbbbbbbbbbbb"));
            Assert.IsTrue(await WaitUntilAsync(() => resolver.GetUrl("css/site.css") == "https://cdn.example.com/static/css/site.bbbbbbbbbbbb.css", TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await host.StopAsync(TestContext.CancellationToken);
        }
    }

    [TestMethod]
    public async Task A_missing_manifest_stops_the_host_from_starting()
    {
        using var folder = new TempFolder();
        using IHost host = CreateHost(folder.Path, new() { ["Wharf:StaticAssets:ManifestPath"] = "static/staticfiles.json" });

        StaticManifestException exception = await Assert.ThrowsExactlyAsync<StaticManifestException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains(folder.File("static/staticfiles.json"), exception.Message);
        Assert.Contains("Wharf:StaticAssets:ManifestPath", exception.Message);
    }

    [TestMethod]
    [DataRow("BaseUrl", "https://cdn.example.com/static", "Wharf:StaticAssets:BaseUrl 'https://cdn.example.com/static' must end with '/'")]
    [DataRow("BaseUrl", "static/", "must be a path starting with '/'")]
    [DataRow("BaseUrl", "//cdn.example.com/static/", "protocol-relative")]
    [DataRow("BaseUrl", "~/static/", "'~/' is not expanded")]
    [DataRow("BaseUrl", "/static/?v=1/", "query or fragment")]
    [DataRow("BaseUrl", "ftp://cdn.example.com/static/", "absolute http(s) URL")]
    [DataRow("BaseUri", "/static/", "Wharf:StaticAssets:BaseUri is not a setting")]
    [DataRow("ReloadInterval", "00:00:00", "Wharf:StaticAssets:ReloadInterval is 00:00:00")]
    [DataRow("Storage", "staticfiles", "Wharf:StaticAssets:ManifestPath and Wharf:StaticAssets:Storage are both set")]
    [DataRow("ManifestName", "other.json", "Wharf:StaticAssets:ManifestName applies only with Wharf:StaticAssets:Storage")]
    public async Task Bad_options_stop_the_host_with_a_message_naming_the_key(string key, string value, string expected)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("staticfiles.json"), SampleJson());
        using IHost host = CreateHost(folder.Path, new()
        {
            ["Wharf:StaticAssets:ManifestPath"] = "staticfiles.json",
            [$"Wharf:StaticAssets:{key}"] = value,
        });

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains(expected, exception.Message);
    }

    [TestMethod]
    public async Task Without_a_source_the_message_names_both_keys()
    {
        using IHost host = CreateHost(Path.GetTempPath(), []);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains("Set Wharf:StaticAssets:ManifestPath (the staticfiles.json file) or Wharf:StaticAssets:Storage", exception.Message);
    }

    [TestMethod]
    public async Task A_storage_source_is_a_named_Wharf_storage()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("staticfiles.json"), SampleJson());
        using IHost host = CreateHost(folder.Path, new() { ["Wharf:StaticAssets:Storage"] = "staticfiles" },
            services => services.AddWharfStorage().AddFileSystem("staticfiles", o => o.Root = folder.Path));

        await host.StartAsync(TestContext.CancellationToken);
        try
        {
            Assert.AreEqual("/static/css/site.0123456789ab.css", host.Services.GetRequiredService<IStaticAssetResolver>().GetUrl("/css/site.css"));
            Assert.AreEqual("storage 'staticfiles', object 'staticfiles.json'", host.Services.GetRequiredService<IStaticAssetManifestProvider>().Source);
        }
        finally
        {
            await host.StopAsync(TestContext.CancellationToken);
        }
    }

    [TestMethod]
    public async Task An_unknown_storage_or_no_storages_stop_the_host()
    {
        using var folder = new TempFolder();
        using IHost unknown = CreateHost(folder.Path, new() { ["Wharf:StaticAssets:Storage"] = "statics" },
            services => services.AddWharfStorage().AddFileSystem("staticfiles", o => o.Root = folder.Path));
        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => unknown.StartAsync(TestContext.CancellationToken));
        Assert.Contains("Wharf:StaticAssets:Storage is 'statics', which is not a configured storage (configured: staticfiles)", exception.Message);

        using IHost none = CreateHost(folder.Path, new() { ["Wharf:StaticAssets:Storage"] = "staticfiles" });
        exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => none.StartAsync(TestContext.CancellationToken));
        Assert.Contains("no Wharf storages are registered", exception.Message);
    }

    [TestMethod]
    public async Task Options_set_in_code_work_without_configuration_and_registration_is_idempotent()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("staticfiles.json"), SampleJson());
        var services = new ServiceCollection();
        services.AddWharfStaticAssets(o =>
        {
            o.ManifestPath = folder.File("staticfiles.json");
            o.Strict = false;
            o.ReloadOnChange = false;
        });
        services.AddWharfStaticAssets(_ => { });
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.AreEqual(1, provider.GetServices<IHostedService>().Count());
        var resolver = provider.GetRequiredService<IStaticAssetResolver>();
        Assert.AreEqual("/static/css/missing.css", resolver.GetUrl("css/missing.css"), "Strict = false from code.");
        Assert.AreEqual("/static/css/site.0123456789ab.css", resolver.GetUrl("css/site.css"), "Loaded on first use without a host.");
    }

    [TestMethod]
    public async Task Url_StaticAsset_resolves_through_the_request_services_of_a_running_app()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("staticfiles.json"), SampleJson());
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = folder.Path });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Wharf:StaticAssets:ManifestPath"] = "staticfiles.json" });
        builder.Services.AddRouting();
        builder.Services.AddWharfStaticAssets(builder.Configuration);
        await using WebApplication app = builder.Build();
        app.UseRouting();
        app.MapGet("/url", (HttpContext context) =>
        {
            IUrlHelper url = new UrlHelper(new ActionContext(context, new RouteData(), new ActionDescriptor()));
            return url.StaticAsset(context.Request.Query["path"]!);
        });
        await app.StartAsync(TestContext.CancellationToken);
        try
        {
            using HttpClient client = app.GetTestClient();
            Assert.AreEqual("/static/img/logo.111111111111.png", await client.GetStringAsync("/url?path=img/logo.png", TestContext.CancellationToken));

            // The test server hands the app's exception to the caller: the strict error, as it would be in production.
            StaticAssetNotFoundException missing = await Assert.ThrowsExactlyAsync<StaticAssetNotFoundException>(
                () => client.GetAsync("/url?path=img/missing.png", TestContext.CancellationToken));
            Assert.AreEqual("img/missing.png", missing.LogicalPath);
        }
        finally
        {
            await app.StopAsync(TestContext.CancellationToken);
        }
    }

    [TestMethod]
    public void Url_StaticAsset_without_the_resolver_says_what_to_register()
    {
        using ServiceProvider services = new ServiceCollection().BuildServiceProvider();
        IUrlHelper url = new UrlHelper(new ActionContext(new DefaultHttpContext { RequestServices = services }, new RouteData(), new ActionDescriptor()));

        InvalidOperationException exception = Assert.ThrowsExactly<InvalidOperationException>(() => url.StaticAsset("css/site.css"));

        Assert.Contains("AddWharfStaticAssets", exception.Message);
    }

    private static IHost CreateHost(string contentRoot, Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
        builder.Configuration.AddInMemoryCollection(settings);
        configure?.Invoke(builder.Services);
        builder.Services.AddWharfStaticAssets(builder.Configuration);
        return builder.Build();
    }
}
