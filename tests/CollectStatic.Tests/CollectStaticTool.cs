using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Wharf.CollectStatic.Tests;

/// <summary>What one run of the tool did.</summary>
public sealed record ToolRun(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>The lines of standard output, without line ends or blank lines.</summary>
    public string[] OutLines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}--- stdout:{Environment.NewLine}{StdOut}--- stderr:{Environment.NewLine}{StdErr}";
}

/// <summary>Runs the real, built wharf-collectstatic as a child process (<c>dotnet wharf-collectstatic.dll …</c>).</summary>
internal static class CollectStaticTool
{
    /// <summary>How long one run may take before it is killed and the test fails (a cold start on a busy 2-core machine is well under this).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The tool's assembly in its own output folder; the build bakes its path into this assembly (see the .csproj).</summary>
    public static string DllPath { get; } = typeof(CollectStaticTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .SingleOrDefault(a => a.Key == "CollectStaticDll")?.Value
        ?? throw new InvalidOperationException("This assembly has no CollectStaticDll metadata: build it with its .csproj.");

    /// <summary>
    /// Runs the tool in <paramref name="workingDirectory"/> with <paramref name="environment"/> added to (or, for a null
    /// value, removed from) this process's environment; standard input is empty, both output streams are captured.
    /// </summary>
    public static async Task<ToolRun> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        ProcessStartInfo start = StartInfo(workingDirectory, environment, args);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return new ToolRun(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            // Timed out, or the test was cancelled: either way the tool must not outlive the test.
            Kill(process);
            if (!cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"wharf-collectstatic {string.Join(' ', start.ArgumentList.Skip(1))} did not exit within {Timeout.TotalSeconds} s.");
            }

            throw;
        }
    }

    /// <summary>Ends a run of the tool that a test no longer waits for, and everything it started.</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has just exited.
        }
    }

    /// <summary>
    /// The tool with <paramref name="args"/>, in <paramref name="workingDirectory"/>, with <paramref name="environment"/>
    /// added to (or, for a null value, removed from) this process's environment; all three streams redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args)
    {
        Assert.IsTrue(File.Exists(DllPath), $"The tool is not built at {DllPath}.");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(DllPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }

    /// <summary>The dotnet host that runs this test (so the tool runs on the same runtime), else DOTNET_HOST_PATH, else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
