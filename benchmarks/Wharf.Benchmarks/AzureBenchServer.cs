using System.Net;
using Azure.Core.Pipeline;
using Wharf.Storage.AzureBlob;

namespace Wharf.Benchmarks;

/// <summary>
/// The Azure Blob server the Azure benchmarks run against (Azurite started by eng/servers/azurite/start.sh, or by
/// <c>eng/benchmark.sh azure</c>), found through the <c>WHARF_AZURE_*</c> environment variables its <c>env</c> file
/// exports. Without them the benchmarks fail with a message that says how to start the server: they never skip.
/// </summary>
/// <remarks>
/// <para>
/// Both sides of every Azure benchmark send through <b>one <see cref="HttpClient"/></b> made by
/// <see cref="CreateHttpClient"/>: Wharf gets it as its Azure.Core transport (<see cref="Options"/>), the raw side
/// (<see cref="AzureRawBlobClient"/>) calls it directly. So they share the handler's settings and its connection
/// pool, and only what happens above the socket differs.
/// </para>
/// <para>
/// Each benchmark process works in a container of its own (<c>wharf-bench-…</c>), created in its global set-up and
/// deleted, with everything in it, in its global cleanup.
/// </para>
/// </remarks>
internal static class AzureBenchServer
{
    /// <summary>The Blob endpoint, such as <c>http://127.0.0.1:10000/devstoreaccount1</c>.</summary>
    public static string Endpoint => Require("WHARF_AZURE_ENDPOINT").TrimEnd('/');

    /// <summary>The account name.</summary>
    public static string AccountName => Environment.GetEnvironmentVariable("WHARF_AZURE_ACCOUNT") is { Length: > 0 } account ? account : "devstoreaccount1";

    /// <summary>The account key (base64).</summary>
    public static string AccountKey => Require("WHARF_AZURE_KEY");

    /// <summary>A container name no other process uses.</summary>
    public static string NewContainerName() => "wharf-bench-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>
    /// The HTTP stack of both sides: a <see cref="SocketsHttpHandler"/> with the settings of the one Azure.Core builds
    /// for its default transport (Azure.Core 1.64 on .NET 10: no cookies, no redirects, no decompression, pooled
    /// connections recycled after 5 minutes, idle ones closed after 1 minute, no client time-out, HTTP/1.1), optionally
    /// behind <paramref name="front"/> (a request counter).
    /// </summary>
    public static HttpClient CreateHttpClient(DelegatingHandler? front = null)
    {
        var sockets = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        HttpMessageHandler handler = sockets;
        if (front is not null)
        {
            front.InnerHandler = sockets;
            handler = front;
        }

        return new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>
    /// Options for a Wharf storage in <paramref name="container"/> (SharedKey, as the Azure tests build them) whose
    /// Azure.Core pipeline sends through <paramref name="httpClient"/>; Azure.Core's other defaults are kept
    /// (retries, telemetry and logging policies, network time-out).
    /// </summary>
    public static AzureBlobStorageOptions Options(string container, HttpClient httpClient, string? location = null) => new()
    {
        ServiceUri = Endpoint,
        AccountName = AccountName,
        AccountKey = AccountKey,
        ConfigureClient = client => client.Transport = new HttpClientTransport(httpClient),
        Container = container,
        Location = location,
    };

    private static string Require(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{variable} is not set: the Azure benchmarks need an Azure Blob server (Azurite); they never skip. Run them through " +
            "eng/benchmark.sh azure (which starts its own Azurite), or start one and export its settings: " +
            "bash eng/servers/azurite/install.sh && bash eng/servers/azurite/start.sh && . artifacts/servers/azurite/env " +
            "(exports WHARF_AZURE_ENDPOINT, WHARF_AZURE_ACCOUNT and WHARF_AZURE_KEY).");
}
