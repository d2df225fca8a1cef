using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// One static root and one TestServer with default options, shared by the tests that only read: started on first use,
/// stopped after the last test of the assembly.
/// </summary>
[TestClass]
public sealed class SharedSite
{
    private static readonly Lazy<Task<Site>> s_site = new(Site.StartAsync);

    internal static Task<Site> GetAsync() => s_site.Value;

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (s_site.IsValueCreated)
        {
            Site site = await s_site.Value;
            await site.Host.StopAsync();
            site.Host.Dispose();
            site.Root.Dispose();
        }
    }

    internal sealed class Site
    {
        private Site(StaticRoot root, IHost host)
        {
            Root = root;
            Host = host;
            Client = new RawClient(host.GetTestServer());
            HttpClient = host.GetTestClient();
        }

        public StaticRoot Root { get; }

        public IHost Host { get; }

        /// <summary>Headers exactly as given; see <see cref="RawClient"/>.</summary>
        public RawClient Client { get; }

        /// <summary>The TestServer's own HttpClient, for tests that go through a real client stack.</summary>
        public HttpClient HttpClient { get; }

        /// <summary>css/app.css, 8000 bytes of text, fingerprinted, with br and gzip variants (br the smaller).</summary>
        public required StaticAsset Css { get; init; }

        /// <summary>js/gz-only.js, fingerprinted, gzip variant only; its type already names a charset.</summary>
        public required StaticAsset GzipOnly { get; init; }

        /// <summary>robots.txt, not fingerprinted, text/plain without a charset in the manifest.</summary>
        public required StaticAsset Robots { get; init; }

        /// <summary>img/logo.png, 3000 random bytes, fingerprinted, no variants.</summary>
        public required StaticAsset Logo { get; init; }

        /// <summary>A stored name with a space, requested percent-encoded.</summary>
        public required StaticAsset Spaced { get; init; }

        /// <summary>empty.txt, 0 bytes.</summary>
        public required StaticAsset Empty { get; init; }

        public required StaticAsset Svg { get; init; }

        public required StaticAsset Json { get; init; }

        public byte[] CssBytes => Root.Read(Css.StoredPath);

        public byte[] CssBrotli => Root.Read(Css.StoredPath + ".br");

        public byte[] CssGzip => Root.Read(Css.StoredPath + ".gz");

        public byte[] LogoBytes => Root.Read(Logo.StoredPath);

        public static string Url(StaticAsset asset) => "/static/" + Uri.EscapeDataString(asset.StoredPath).Replace("%2F", "/", StringComparison.Ordinal);

        public static async Task<Site> StartAsync()
        {
            var root = new StaticRoot();
            StaticAsset css = root.Add("css/app.css", StaticRoot.Css(8000, 1), "text/css", brotli: true, gzip: true);
            StaticAsset gzipOnly = root.Add("js/gz-only.js", StaticRoot.Css(6000, 2), "text/javascript; charset=utf-8", gzip: true);
            StaticAsset robots = root.Add("robots.txt", "User-agent: *\nDisallow:\n"u8.ToArray(), "text/plain", fingerprint: false);
            StaticAsset logo = root.Add("img/logo.png", StaticRoot.Random(3000, 3), "image/png");
            StaticAsset spaced = root.Add("img/my logo.png", StaticRoot.Random(500, 4), "image/png");
            StaticAsset empty = root.Add("empty.txt", [], "text/plain", fingerprint: false);
            StaticAsset svg = root.Add("icons/i.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray(), "image/svg+xml");
            StaticAsset json = root.Add("data/d.json", "{\"a\":1}"u8.ToArray(), "application/json");
            root.WriteManifest();
            Assert.IsLessThan(root.Read(css.StoredPath + ".gz").Length, root.Read(css.StoredPath + ".br").Length, "The fixture needs br smaller than gzip.");
            IHost host = await root.StartTestServerAsync();
            return new Site(root, host)
            {
                Css = css,
                GzipOnly = gzipOnly,
                Robots = robots,
                Logo = logo,
                Spaced = spaced,
                Empty = empty,
                Svg = svg,
                Json = json,
            };
        }
    }
}
