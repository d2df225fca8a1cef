using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Wharf.StaticManifest;

// Kestrel's StaticFileMiddleware (UseStaticFiles) against Wharf's middleware (UseWharfStaticAssets) on the same
// fingerprinted 64 KiB file of the same static root, each on its own Kestrel port in this process, measured with wrk
// over loopback in interleaved rounds (the order flips every round, so drift and neighbours hit both alike).
// See README.md for the command line and the numbers.
var settings = Settings.Parse(args);
string root = Path.Combine(Path.GetTempPath(), "wharf-static-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
Directory.CreateDirectory(root);
try
{
    string storedPath = WriteStaticRoot(root);
    await using WebApplication staticFiles = await StartAsync(settings.StaticFilesPort, app => app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = new PhysicalFileProvider(root),
        RequestPath = "/static",
    }));
    await using WebApplication wharf = await StartAsync(settings.WharfPort, app => app.UseWharfStaticAssets(new Wharf.StaticManifest.Serving.StaticAssetServingOptions { RootPath = root }));
    var targets = new[]
    {
        new Target("UseStaticFiles", staticFiles.Urls.Single() + "/static/" + storedPath),
        new Target("UseWharfStaticAssets", wharf.Urls.Single() + "/static/" + storedPath),
    };

    foreach (Target target in targets)
    {
        await CheckAsync(target, root, storedPath);
    }

    if (settings.ServeOnly)
    {
        Console.WriteLine("Serving; press Enter to stop.");
        Console.ReadLine();
        return 0;
    }

    Console.WriteLine($"variants: br {new FileInfo(Path.Combine(root, storedPath + ".br")).Length} bytes, gzip {new FileInfo(Path.Combine(root, storedPath + ".gz")).Length} bytes (UseStaticFiles serves neither: it sends the 65536-byte file whatever Accept-Encoding says)");
    Console.WriteLine($"wrk -t{settings.Threads} -c{settings.Connections} -d{settings.Duration}s, {settings.Rounds} interleaved rounds after a {settings.Warmup}s warm-up each; file {storedPath} (65536 bytes){(settings.AcceptEncoding is null ? string.Empty : ", Accept-Encoding: " + settings.AcceptEncoding)}");
    foreach (Target target in targets)
    {
        await RunWrkAsync(settings, target.Url, settings.Warmup);
    }

    var results = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var cpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var ratios = new List<double>();
    for (int round = 0; round < settings.Rounds; round++)
    {
        var order = round % 2 == 0 ? targets : targets.Reverse().ToArray();
        var thisRound = new Dictionary<string, (double RequestsPerSecond, double CpuMicrosecondsPerRequest)>();
        foreach (Target target in order)
        {
            thisRound[target.Name] = await RunWrkAsync(settings, target.Url, settings.Duration);
            results[target.Name].Add(thisRound[target.Name].RequestsPerSecond);
            cpu[target.Name].Add(thisRound[target.Name].CpuMicrosecondsPerRequest);
        }

        ratios.Add(thisRound["UseWharfStaticAssets"].RequestsPerSecond / thisRound["UseStaticFiles"].RequestsPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1,2}: UseStaticFiles {thisRound["UseStaticFiles"].RequestsPerSecond,8:F0} req/s {thisRound["UseStaticFiles"].CpuMicrosecondsPerRequest,6:F1} us CPU/req   UseWharfStaticAssets {thisRound["UseWharfStaticAssets"].RequestsPerSecond,8:F0} req/s {thisRound["UseWharfStaticAssets"].CpuMicrosecondsPerRequest,6:F1} us CPU/req   ratio {ratios[^1]:F3}"));
    }

    double baseline = Median(results["UseStaticFiles"]);
    double candidate = Median(results["UseWharfStaticAssets"]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median req/s: UseStaticFiles {baseline:F0}, UseWharfStaticAssets {candidate:F0}; ratio of medians {candidate / baseline:F3}; median of per-round ratios {Median(ratios):F3}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median server CPU per request: UseStaticFiles {Median(cpu["UseStaticFiles"]):F1} us, UseWharfStaticAssets {Median(cpu["UseWharfStaticAssets"]):F1} us"));
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

static async Task<WebApplication> StartAsync(int port, Action<WebApplication> configure)
{
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseKestrel().UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
    builder.Logging.ClearProviders();
    WebApplication app = builder.Build();
    configure(app);
    app.Run(context =>
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    });
    await app.StartAsync();
    return app;
}

// A collected root as the collect step writes it: css/site.<hash12>.css (64 KiB of CSS), its .br and .gz, staticfiles.json.
static string WriteStaticRoot(string root)
{
    var text = new StringBuilder();
    for (int i = 0; text.Length < 65536; i++)
    {
        text.Append(CultureInfo.InvariantCulture, $".c{i} {{ color: #{i * 2654435761 % 0xffffff:x6}; margin: {i % 23}px {i % 7}px; }}\n");
    }

    byte[] content = Encoding.UTF8.GetBytes(text.ToString(0, 65536));
    string hash12 = Convert.ToHexStringLower(SHA256.HashData(content))[..12];
    string stored = $"css/site.{hash12}.css";
    Directory.CreateDirectory(Path.Combine(root, "css"));
    File.WriteAllBytes(Path.Combine(root, stored), content);
    byte[] brotli = Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize));
    byte[] gzip = Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize));
    File.WriteAllBytes(Path.Combine(root, stored + ".br"), brotli);
    File.WriteAllBytes(Path.Combine(root, stored + ".gz"), gzip);
    var manifest = new StaticAssetManifest(
    [
        new StaticAsset
        {
            LogicalPath = "css/site.css",
            StoredPath = stored,
            Length = content.Length,
            ContentType = "text/css",
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(content)),
            Integrity = "sha384-" + Convert.ToBase64String(SHA384.HashData(content)),
            Encodings =
            [
                new StaticAssetEncoding("br", stored + ".br", brotli.Length, Convert.ToHexStringLower(SHA256.HashData(brotli))),
                new StaticAssetEncoding("gzip", stored + ".gz", gzip.Length, Convert.ToHexStringLower(SHA256.HashData(gzip))),
            ],
        },
    ]);
    using FileStream stream = File.Create(Path.Combine(root, StaticAssetManifest.DefaultName));
    manifest.WriteTo(stream);
    return stored;
}

static byte[] Compress(byte[] content, Func<Stream, Stream> encoder)
{
    using var output = new MemoryStream();
    using (Stream stream = encoder(output))
    {
        stream.Write(content);
    }

    return output.ToArray();
}

// Both must answer 200 with the file's bytes before their speed means anything.
static async Task CheckAsync(Target target, string root, string storedPath)
{
    using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
    using HttpResponseMessage response = await client.GetAsync(new Uri(target.Url));
    byte[] body = await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode || !body.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, storedPath))))
    {
        throw new InvalidOperationException($"{target.Name} did not serve the file: {(int)response.StatusCode}, {body.Length} bytes.");
    }

    Console.WriteLine($"{target.Name}: {target.Url} -> {(int)response.StatusCode}, {body.Length} bytes, Cache-Control: {response.Headers.CacheControl}, ETag: {response.Headers.ETag}");
}

// Requests per second as wrk saw them, and this process's CPU time per request over the run: the second is the
// steadier number on a shared machine, since only one of the two servers is loaded at a time.
static async Task<(double RequestsPerSecond, double CpuMicrosecondsPerRequest)> RunWrkAsync(Settings settings, string url, int seconds)
{
    var start = new ProcessStartInfo(settings.Wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string argument in new[] { $"-t{settings.Threads}", $"-c{settings.Connections}", $"-d{seconds}s" })
    {
        start.ArgumentList.Add(argument);
    }

    if (settings.AcceptEncoding is not null)
    {
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add("Accept-Encoding: " + settings.AcceptEncoding);
    }

    start.ArgumentList.Add(url);
    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    using Process wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
    string output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    Match match = Regex.Match(output, @"Requests/sec:\s+([0-9.]+)");
    Match total = Regex.Match(output, @"([0-9]+) requests in");
    if (wrk.ExitCode != 0 || !match.Success || !total.Success || output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"wrk failed or saw errors:\n{output}{await wrk.StandardError.ReadToEndAsync()}");
    }

    return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), cpu.TotalMicroseconds / long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

internal sealed record Target(string Name, string Url);

internal sealed record Settings(int Rounds, int Duration, int Warmup, int Threads, int Connections, string? AcceptEncoding, string Wrk, bool ServeOnly, int StaticFilesPort, int WharfPort)
{
    // --rounds 7 --duration 10 --warmup 5 --threads 2 --connections 64 --accept-encoding br --wrk /usr/bin/wrk --serve-only --ports 5101,5102 (default 0,0: any free ports)
    public static Settings Parse(string[] args)
    {
        string? Value(string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        string[] ports = (Value("--ports") ?? "0,0").Split(',');
        return new Settings(
            Int("--rounds", 7),
            Int("--duration", 10),
            Int("--warmup", 5),
            Int("--threads", 2),
            Int("--connections", 64),
            Value("--accept-encoding"),
            Value("--wrk") ?? "wrk",
            args.Contains("--serve-only"),
            int.Parse(ports[0], CultureInfo.InvariantCulture),
            int.Parse(ports[1], CultureInfo.InvariantCulture));
    }
}
