using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure.Core.Pipeline;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>
/// A private Azurite that serves HTTPS and accepts OAuth bearer tokens (<c>--oauth basic</c>), started by
/// eng/servers/azurite/start.sh with a self-signed certificate for 127.0.0.1 made here (.NET's
/// <see cref="CertificateRequest"/>, written as PEM). Clients trust exactly that certificate (<see cref="CreateHandler"/>),
/// nothing else. Azurite in basic mode takes any JWT with a plausible audience, issuer and lifetime without checking its
/// signature (see <see cref="FakeJwt"/>), implements Get User Delegation Key and checks user-delegation SAS URLs.
/// </summary>
/// <remarks>
/// Independent of the shared Azurite that eng/test.sh starts: its own state directory and port. It fails (never skips)
/// when it cannot start, with start.sh's output in the message.
/// </remarks>
internal sealed class HttpsAzurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);
    private readonly string _root;
    private readonly string _stateDirectory;
    private readonly string _stopScript;
    private readonly byte[] _certificate;
    private bool _stopped;

    private HttpsAzurite(string root, string stateDirectory, string stopScript, byte[] certificate, int port)
    {
        _root = root;
        _stateDirectory = stateDirectory;
        _stopScript = stopScript;
        _certificate = certificate;
        Port = port;
        Endpoint = new Uri($"https://127.0.0.1:{port}/{AccountName}");
    }

    /// <summary>The Blob endpoint, <c>https://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri Endpoint { get; }

    public int Port { get; }

    /// <summary>The server certificate's SHA-256 thumbprint.</summary>
    public string CertificateThumbprint => Convert.ToHexString(SHA256.HashData(_certificate));

    /// <summary>Makes the certificate, picks a free port from 10400 and starts Azurite with HTTPS and OAuth.</summary>
    public static async Task<HttpsAzurite> StartAsync(CancellationToken cancellationToken)
    {
        string startScript = FindScript("start.sh");
        string stopScript = Path.Combine(Path.GetDirectoryName(startScript)!, "stop.sh");
        string root = Path.Combine(Path.GetTempPath(), "wharf-az-tok-" + Guid.NewGuid().ToString("N")[..12]);
        if (root.Contains(' ', StringComparison.Ordinal))
        {
            // start.sh splits WHARF_AZURITE_ARGS on spaces.
            throw new InvalidOperationException($"The temporary directory '{root}' contains a space; set TMPDIR to a path without one.");
        }

        Directory.CreateDirectory(root);
        string certificatePath = Path.Combine(root, "cert.pem");
        string keyPath = Path.Combine(root, "key.pem");
        byte[] certificate = WriteSelfSignedCertificate(certificatePath, keyPath);
        string stateDirectory = Path.Combine(root, "state");
        int port = FindFreePort();

        var server = new HttpsAzurite(root, stateDirectory, stopScript, certificate, port);
        (int exitCode, string output) = await RunScriptAsync(startScript, server.ScriptEnvironment(
            ("WHARF_AZURITE_ARGS", $"--oauth basic --cert {certificatePath} --key {keyPath}"),
            ("WHARF_AZURITE_PERSISTENCE", "memory"),
            ("WHARF_AZURITE_TIMEOUT", "60")), cancellationToken);
        if (exitCode != 0)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException(
                $"Could not start the HTTPS Azurite ({startScript}, exit code {exitCode}); install it with eng/servers/azurite/install.sh. Output:\n{output}");
        }

        // start.sh recognised --cert: it probed over https and wrote an https endpoint.
        string env = await File.ReadAllTextAsync(Path.Combine(stateDirectory, "env"), cancellationToken);
        if (!env.Contains($"WHARF_AZURE_ENDPOINT={server.Endpoint.AbsoluteUri.TrimEnd('/')}", StringComparison.Ordinal))
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"start.sh did not report the https endpoint {server.Endpoint}:\n{env}\n{output}");
        }

        return server;
    }

    /// <summary>A handler that trusts exactly this server's certificate (and no other, not even a publicly trusted one).</summary>
    public HttpClientHandler CreateHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.RawData.AsSpan().SequenceEqual(_certificate),
    };

    /// <summary>Sets a transport that trusts this server and records every request into <paramref name="requests"/>.</summary>
    public Action<AzureBlobClientOptions> ConfigureClient(RequestRecorder requests) => options =>
        options.Transport = new HttpClientTransport(new RecordingHandler(requests, CreateHandler()));

    /// <summary>An HTTP client without credentials (a browser, a CDN) that trusts this server.</summary>
    public HttpClient CreateAnonymousClient() => new(CreateHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        try
        {
            // stop.sh signals only the PID recorded in the state directory (this server's), then removes the directory.
            (int exitCode, string output) = await RunScriptAsync(_stopScript, ScriptEnvironment(), CancellationToken.None);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"stop.sh failed (exit code {exitCode}): {output}");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private (string Name, string? Value)[] ScriptEnvironment(params (string Name, string? Value)[] more) =>
    [
        ("WHARF_AZURITE_DIR", _stateDirectory),
        ("WHARF_AZURITE_PORT", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("WHARF_AZURITE_ARGS", null),
        ("WHARF_AZURITE_RESUME", null),
        ("WHARF_AZURITE_KEEP", null),
        ("WHARF_AZURITE_DEBUG", null),
        .. more,
    ];

    private static byte[] WriteSelfSignedCertificate(string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        File.WriteAllText(certificatePath, PemEncoding.WriteString("CERTIFICATE", certificate.RawData));
        File.WriteAllText(keyPath, PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()));
        return certificate.RawData;
    }

    private static int FindFreePort() => AzuriteScripts.FindFreePort(10400, 10499, "the HTTPS Azurite");

    private static string FindScript(string script) => AzuriteScripts.FindScript(script);

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, (string Name, string? Value)[] environment, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not run bash {script}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Only the bash process started here; start.sh's own ERR handling is not reached, so stop.sh cleans up after.
            process.Kill();
            throw new TimeoutException($"bash {script} did not finish within {ScriptTimeout.TotalSeconds} s.");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}

/// <summary>One request a storage sent: method, URL, the Authorization scheme (<c>Bearer</c>, <c>SharedKey</c>) and the status.</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, string? AuthorizationScheme)
{
    public int Status { get; set; }

    public bool IsUserDelegationKeyRequest =>
        Method == "POST" && Uri.Query.Contains("comp=userdelegationkey", StringComparison.Ordinal);
}

/// <summary>The requests that went through a <see cref="RecordingHandler"/>.</summary>
internal sealed class RequestRecorder
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int UserDelegationKeyRequests => _requests.Count(r => r.IsUserDelegationKeyRequest);

    public void Add(RecordedRequest request) => _requests.Enqueue(request);

    public void Clear() => _requests.Clear();

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (RecordedRequest request in _requests)
        {
            text.Append(request.Method).Append(' ').Append(request.Uri.PathAndQuery).Append(" (").Append(request.AuthorizationScheme ?? "no Authorization")
                .Append(") -> ").Append(request.Status).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>Records each request at the transport (after Azure.Core's policies, so with the Authorization header).</summary>
internal sealed class RecordingHandler(RequestRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? scheme = request.Headers.TryGetValues("Authorization", out IEnumerable<string>? values)
            ? values.First().Split(' ', 2)[0]
            : null;
        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, scheme);
        recorder.Add(recorded);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        recorded.Status = (int)response.StatusCode;
        return response;
    }
}
