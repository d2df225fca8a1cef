using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wharf.StaticManifest.Serving;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>Options, the response hook, configuration binding, start-up validation, routing.</summary>
[TestClass]
public sealed class ServingOptionsTests
{
    [TestMethod]
    public async Task Request_path_max_age_CORS_and_the_hook_apply_to_every_asset_response_but_405()
    {
        using var root = new StaticRoot();
        StaticAsset css = root.Add("css/app.css", StaticRoot.Css(4000, 1), "text/css", brotli: true);
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(int Status, string? Coding, string Path)>();
        using IHost host = await root.StartTestServerAsync(options =>
        {
            options.RequestPath = "/assets/";
            options.MaxAge = TimeSpan.FromMinutes(5);
            options.AllowAllOrigins = true;
            options.OnPrepareResponse = context =>
            {
                seen.Add((context.Context.Response.StatusCode, context.ContentEncoding, context.PhysicalPath));
                context.Context.Response.Headers["X-Logical"] = context.Asset.LogicalPath;
            };
        });
        var client = new RawClient(host.GetTestServer());
        string url = "/assets/" + css.StoredPath;

        using HttpResponseMessage robots = await GetAsync(client, "/assets/robots.txt");
        Assert.AreEqual("public, max-age=300", Header(robots, "Cache-Control"));
        Assert.AreEqual("*", Header(robots, "Access-Control-Allow-Origin"));
        Assert.AreEqual("robots.txt", Header(robots, "X-Logical"));

        using HttpResponseMessage ok = await GetAsync(client, url, ("Accept-Encoding", "br"));
        using HttpResponseMessage partial = await GetAsync(client, url, ("Range", "bytes=0-0"));
        using HttpResponseMessage notModified = await GetAsync(client, url, ("If-None-Match", "*"));
        using HttpResponseMessage failed = await GetAsync(client, url, ("If-Match", "\"x\""));
        using HttpResponseMessage unsatisfiable = await GetAsync(client, url, ("Range", "bytes=99999-"));
        using HttpResponseMessage notAllowed = await SendAsync(client, HttpMethod.Post, url);
        using HttpResponseMessage elsewhere = await GetAsync(client, "/static/" + css.StoredPath);

        foreach (HttpResponseMessage response in new[] { ok, partial, notModified, failed, unsatisfiable })
        {
            Assert.AreEqual("css/app.css", Header(response, "X-Logical"), response.StatusCode.ToString());
            Assert.AreEqual("*", Header(response, "Access-Control-Allow-Origin"), response.StatusCode.ToString());
        }

        Assert.AreEqual("public, max-age=31536000, immutable", Header(ok, "Cache-Control"), "MaxAge is for names without a hash.");
        Assert.IsNull(Header(notAllowed, "X-Logical"));
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, notAllowed.StatusCode);
        Assert.IsTrue(FellThrough(elsewhere));
        CollectionAssert.IsSubsetOf(new[] { 200, 206, 304, 412, 416 }, seen.Select(s => s.Status).Distinct().ToArray());
        Assert.IsTrue(seen.Any(s => s.Coding == "br" && s.Path == root.PhysicalPath(css.StoredPath + ".br")));
    }

    [TestMethod]
    public async Task The_hook_can_replace_headers_the_middleware_set()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache");

        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/static/robots.txt");
        Assert.AreEqual("no-cache", Header(response, "Cache-Control"));
    }

    [TestMethod]
    [DataRow("/")]
    [DataRow("")]
    public async Task The_root_path_serves_from_the_site_root(string requestPath)
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.RequestPath = new PathString(requestPath.Length == 0 ? null : requestPath));
        var client = new RawClient(host.GetTestServer());

        using HttpResponseMessage served = await GetAsync(client, "/robots.txt");
        using HttpResponseMessage other = await GetAsync(client, "/");
        Assert.AreEqual(HttpStatusCode.OK, served.StatusCode);
        Assert.IsTrue(FellThrough(other));
    }

    [TestMethod]
    public async Task Zero_max_age_is_written_as_zero()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.MaxAge = TimeSpan.Zero);

        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/static/robots.txt");
        Assert.AreEqual("public, max-age=0", Header(response, "Cache-Control"));
    }

    [TestMethod]
    public async Task Options_bind_from_a_configuration_section_and_a_relative_root_is_under_the_content_root()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wharf:StaticServing:RootPath"] = "static",
            ["Wharf:StaticServing:RequestPath"] = "/files",
            ["Wharf:StaticServing:MaxAge"] = "00:02:00",
            ["Wharf:StaticServing:AllowAllOrigins"] = "true",
        }).Build();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .UseContentRoot(root.Folder)
                .ConfigureServices(services => services.AddWharfStaticAssetServing(configuration.GetSection("Wharf:StaticServing")))
                .Configure(app =>
                {
                    app.UseWharfStaticAssets();
                    app.Run(StaticRoot.FallThroughAsync);
                }))
            .Build();
        await host.StartAsync();

        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/files/robots.txt");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("public, max-age=120", Header(response, "Cache-Control"));
        Assert.AreEqual("*", Header(response, "Access-Control-Allow-Origin"));
    }

    [TestMethod]
    public async Task Options_passed_to_Use_replace_the_configured_ones()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .Configure(app =>
                {
                    app.UseWharfStaticAssets(new StaticAssetServingOptions { RootPath = root.Root, RequestPath = "/s" });
                    app.Run(StaticRoot.FallThroughAsync);
                }))
            .Build();
        await host.StartAsync();

        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/s/robots.txt");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    [DataRow("root", "RootPath", DisplayName = "no root")]
    [DataRow("max-age", "MaxAge", DisplayName = "negative max-age")]
    [DataRow("interval", "ManifestCheckInterval", DisplayName = "negative check interval")]
    [DataRow("manifest", "ManifestName", DisplayName = "no manifest name")]
    public async Task Bad_options_fail_at_start_up_naming_the_option_and_its_configuration_key(string which, string option)
    {
        using var root = new StaticRoot();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddWharfStaticAssetServing(options =>
                {
                    options.RootPath = which == "root" ? null : root.Root;
                    options.MaxAge = which == "max-age" ? TimeSpan.FromSeconds(-1) : options.MaxAge;
                    options.ManifestCheckInterval = which == "interval" ? TimeSpan.FromSeconds(-5) : options.ManifestCheckInterval;
                    options.ManifestName = which == "manifest" ? " " : options.ManifestName;
                }))
                .Configure(app => app.UseWharfStaticAssets()))
            .Build();

        InvalidOperationException error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("StaticAssetServingOptions." + option + " ", error.Message);
        Assert.Contains("Wharf:StaticServing:" + option + ")", error.Message);
    }

    [TestMethod]
    public async Task An_endpoint_chosen_by_routing_owns_the_request()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "file"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddRouting().AddWharfStaticAssetServing(options => options.RootPath = root.Root))
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseWharfStaticAssets();
                    app.UseEndpoints(endpoints => endpoints.MapGet("/static/robots.txt", () => "endpoint"));
                }))
            .Build();
        await host.StartAsync();

        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/static/robots.txt");
        Assert.AreEqual("endpoint", await response.Content.ReadAsStringAsync());
    }
}
