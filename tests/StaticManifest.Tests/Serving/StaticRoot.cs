using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wharf.StaticManifest.Serving;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// A collected static root in a temp folder, written the way the collect step writes one: stored files (fingerprinted
/// or not), .br/.gz variants made with the real encoders, and staticfiles.json from <see cref="StaticAssetManifest"/>.
/// The root is <c>{Folder}/static</c>, so <c>{Folder}/secret.txt</c> sits just outside it for traversal attempts.
/// </summary>
internal sealed class StaticRoot : IDisposable
{
    public const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";

    /// <summary>The modification time every file gets, so Last-Modified and If-Modified-Since are predictable.</summary>
    public static readonly DateTime FileTime = new(2024, 5, 6, 7, 8, 9, 500, DateTimeKind.Utc);

    private readonly List<StaticAsset> _assets = [];

    public StaticRoot()
    {
        Folder = Path.Combine(Path.GetTempPath(), "wharf-serve-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Folder, "static");
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Folder, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(Root, "unlisted.txt"), "on disk, not in the manifest");
    }

    public string Folder { get; }

    public string Root { get; }

    public string ManifestPath => Path.Combine(Root, StaticAssetManifest.DefaultName);

    public IReadOnlyList<StaticAsset> Assets => _assets;

    /// <summary>Adds a stored file and returns its manifest entry (stored path fingerprinted like Django's: name.hash12.ext).</summary>
    public StaticAsset Add(string logicalPath, byte[] content, string contentType, bool fingerprint = true, bool brotli = false, bool gzip = false)
    {
        string stored = fingerprint ? Fingerprint(logicalPath, content) : logicalPath;
        WriteFile(stored, content);
        var encodings = new List<StaticAssetEncoding>();
        if (brotli)
        {
            encodings.Add(WriteEncoded(stored, "br", ".br", Brotli(content)));
        }

        if (gzip)
        {
            encodings.Add(WriteEncoded(stored, "gzip", ".gz", Gzip(content)));
        }

        var asset = new StaticAsset
        {
            LogicalPath = logicalPath,
            StoredPath = stored,
            Length = content.Length,
            ContentType = contentType,
            ContentHash = Sha256(content),
            Integrity = "sha384-" + Convert.ToBase64String(SHA384.HashData(content)),
            Encodings = encodings,
        };
        _assets.RemoveAll(a => a.StoredPath == stored);
        _assets.Add(asset);
        return asset;
    }

    public void Remove(StaticAsset asset) => _assets.Remove(asset);

    /// <summary>Writes staticfiles.json for the assets added so far (all at once, as a deploy would).</summary>
    public void WriteManifest() => WriteManifest(new StaticAssetManifest(_assets));

    public void WriteManifest(StaticAssetManifest manifest)
    {
        string temp = ManifestPath + ".tmp";
        using (FileStream stream = File.Create(temp))
        {
            manifest.WriteTo(stream);
        }

        File.Move(temp, ManifestPath, overwrite: true);
    }

    public byte[] Read(string storedPath) => File.ReadAllBytes(PhysicalPath(storedPath));

    public string PhysicalPath(string storedPath) => Path.Combine(Root, storedPath.Replace('/', Path.DirectorySeparatorChar));

    public void WriteFile(string storedPath, byte[] content)
    {
        string path = PhysicalPath(storedPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, FileTime);
    }

    public static string Fingerprint(string logicalPath, byte[] content)
    {
#pragma warning disable CA5351 // Django's name hash is MD5.
        string hash = Convert.ToHexStringLower(MD5.HashData(content))[..12];
#pragma warning restore CA5351
        string extension = Path.GetExtension(logicalPath);
        return logicalPath[..^extension.Length] + "." + hash + extension;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string TagOf(byte[] content) => "\"" + Sha256(content)[..32] + "\"";

    public static byte[] Brotli(byte[] content)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            brotli.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Unbrotli(byte[] content)
    {
        using var input = new BrotliStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public static byte[] Ungzip(byte[] content)
    {
        using var input = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Compressible text of about <paramref name="length"/> bytes.</summary>
    public static byte[] Css(int length, int seed)
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < length; i++)
        {
            text.Append(".rule-").Append(seed).Append('-').Append(i).Append(" { color: #").Append((i * 7919 % 0xffffff).ToString("x6", System.Globalization.CultureInfo.InvariantCulture)).Append("; margin: ").Append(i % 17).Append("px; }\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, length));
    }

    public static byte[] Random(int length, int seed)
    {
        byte[] bytes = new byte[length];
#pragma warning disable CA5394 // Test data, not security.
        new Random(seed).NextBytes(bytes);
#pragma warning restore CA5394
        return bytes;
    }

    /// <summary>Starts a TestServer with the middleware over this root, and a terminal that marks fall-through.</summary>
    public async Task<IHost> StartTestServerAsync(Action<StaticAssetServingOptions>? configure = null, Action<IApplicationBuilder>? before = null)
    {
        IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services =>
                {
                    services.AddRouting();
                    services.AddWharfStaticAssetServing(options =>
                    {
                        options.RootPath = Root;
                        configure?.Invoke(options);
                    });
                })
                .Configure(app =>
                {
                    before?.Invoke(app);
                    app.UseWharfStaticAssets();
                    app.Run(FallThroughAsync);
                }))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The app behind the middleware: 404 with a marker header, so tests can tell "passed on" from "answered".</summary>
    public static Task FallThroughAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.Headers["X-Fall-Through"] = "1";
        return context.Response.WriteAsync("fell through");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing a file; the temp folder is not worth failing a test over.
        }
    }

    private StaticAssetEncoding WriteEncoded(string stored, string coding, string suffix, byte[] encoded)
    {
        WriteFile(stored + suffix, encoded);
        return new StaticAssetEncoding(coding, stored + suffix, encoded.Length, Sha256(encoded));
    }
}
