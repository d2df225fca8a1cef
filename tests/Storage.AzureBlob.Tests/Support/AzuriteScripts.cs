using System.Net;
using System.Net.Sockets;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>What the tests that start Azurite instances of their own share: the scripts and a free port.</summary>
internal static class AzuriteScripts
{
    /// <summary>The first port in [<paramref name="first"/>, <paramref name="last"/>] that nothing listens on (another run's Azurite may hold one).</summary>
    public static int FindFreePort(int first, int last, string purpose)
    {
        for (int port = first; port <= last; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // In use: the next one.
            }
        }

        throw new InvalidOperationException($"No free port in {first}-{last} on 127.0.0.1 for {purpose}.");
    }

    /// <summary>eng/servers/azurite/{script}: next to WHARF_AZURITE_START (eng/test.sh exports it), else found above the test assembly.</summary>
    public static string FindScript(string script)
    {
        if (Environment.GetEnvironmentVariable("WHARF_AZURITE_START") is { Length: > 0 } start && File.Exists(start))
        {
            return Path.Combine(Path.GetDirectoryName(start)!, script);
        }

        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "eng", "servers", "azurite", script);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"eng/servers/azurite/{script} was not found above {AppContext.BaseDirectory}, and WHARF_AZURITE_START is not set.");
    }
}
