using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Wharf.CollectStatic.Tests;

/// <summary>
/// <c>--watch</c>: the tool keeps the destination in step with the sources, one summary line per collect, reports a
/// failed collect and goes on, and stops on SIGINT (Ctrl+C) or SIGTERM with exit code 0.
/// </summary>
[TestClass]
public sealed partial class WatchTests : CollectStaticTestBase
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);

    [TestMethod]
    [DataRow(2, "SIGINT")]
    [DataRow(15, "SIGTERM")]
    public async Task Watch_publishes_each_change_and_stops_on_a_signal(int signal, string name)
    {
        Write("css/site.css", "body { background: url(../img/logo.png) }");
        Write("img/logo.png", "logo, first");
        await using var tool = WatchingTool.Start(this, "--source", "src", "--destination", "out", "--no-compress", "--watch");

        await tool.LineAsync(line => line.StartsWith("Watching", StringComparison.Ordinal));
        string first = await tool.LineAsync(IsSummary);
        Write("img/logo.png", "logo, second");
        string second = await tool.LineAsync(IsSummary);
        Write("img/new.png", "a new file");
        await tool.LineAsync(_ => ManifestPaths(Under("out")).ContainsKey("img/new.png"), orWhenPolled: true);
        int exitCode = await tool.StopAsync(signal);

        Assert.AreEqual(0, exitCode, $"{name}: {tool}");
        StringAssert.StartsWith(first, "4 static files copied to out", tool.ToString());
        // The image's fingerprinted file and original, and the stylesheet's new fingerprinted file.
        StringAssert.StartsWith(second, "3 static files copied to out", tool.ToString());
        Dictionary<string, string> paths = ManifestPaths(Under("out"));
        Assert.AreEqual($"img/logo.{Fingerprint(Path.Join(Src, "img/logo.png"))}.png", paths["img/logo.png"]);
        StringAssert.Contains(File.ReadAllText(Path.Join(Under("out"), paths["css/site.css"])), "url(../" + paths["img/logo.png"] + ")");
        Assert.AreEqual("Stopped watching.", tool.Lines[^1], tool.ToString());
    }

    [TestMethod]
    public async Task Watch_reports_a_failed_collect_keeps_the_last_deployment_and_goes_on()
    {
        Write("css/site.css", "body { color: red }");
        await using var tool = WatchingTool.Start(this, "--source", "src", "--destination", "out", "--no-compress", "--watch");
        await tool.LineAsync(IsSummary);
        string manifest = File.ReadAllText(Path.Join(Under("out"), "staticfiles.json"));

        Write("css/site.css", "body { background: url(../img/missing.png) }");
        await tool.ErrorLineAsync(line => line.Contains("img/missing.png", StringComparison.Ordinal));
        Assert.AreEqual(manifest, File.ReadAllText(Path.Join(Under("out"), "staticfiles.json")), "a strict collect that finds a missing reference writes nothing");
        Write("img/missing.png", "here now");
        await tool.LineAsync(_ => ManifestPaths(Under("out")).ContainsKey("img/missing.png"), orWhenPolled: true);
        int exitCode = await tool.StopAsync(2);

        Assert.AreEqual(0, exitCode, tool.ToString());
    }

    [TestMethod]
    public async Task Watch_and_dry_run_together_are_a_bad_argument()
    {
        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--watch", "--dry-run");

        AssertExit(2, run);
        StringAssert.Contains(run.StdErr, "--watch and --dry-run", run.ToString());
    }

    private static bool IsSummary(string line) => line.Contains(" static files copied to ", StringComparison.Ordinal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    /// <summary>The tool running with <c>--watch</c>: its output lines as they come, and a stop by signal.</summary>
    private sealed class WatchingTool : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _out = Channel.CreateUnbounded<string>();
        private readonly Channel<string> _err = Channel.CreateUnbounded<string>();
        private readonly List<string> _lines = [];
        private readonly List<string> _errors = [];
        private readonly CancellationToken _cancellationToken;

        private WatchingTool(Process process, CancellationToken cancellationToken)
        {
            _process = process;
            _cancellationToken = cancellationToken;
            process.OutputDataReceived += (_, e) => Add(e.Data, _lines, _out);
            process.ErrorDataReceived += (_, e) => Add(e.Data, _errors, _err);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        /// <summary>Every line of standard output so far.</summary>
        public string[] Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public static WatchingTool Start(WatchTests test, params string[] args)
        {
            ProcessStartInfo start = CollectStaticTool.StartInfo(test.Root, new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = test.Xdg }, args);
            Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
            return new WatchingTool(process, test.Ct);
        }

        /// <summary>
        /// The next line of standard output that <paramref name="condition"/> accepts. With <paramref name="orWhenPolled"/>,
        /// the condition is about the destination, not the line: it is checked after every line and every half second.
        /// </summary>
        public async Task<string> LineAsync(Func<string, bool> condition, bool orWhenPolled = false)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
            timeout.CancelAfter(LineTimeout);
            try
            {
                while (true)
                {
                    Task<bool> ready = _out.Reader.WaitToReadAsync(timeout.Token).AsTask();
                    if (orWhenPolled)
                    {
                        await Task.WhenAny(ready, Task.Delay(500, timeout.Token));
                        if (SafeCheck(condition))
                        {
                            return string.Empty;
                        }

                        if (!ready.IsCompleted)
                        {
                            continue;
                        }
                    }

                    if (!await ready)
                    {
                        Assert.Fail($"The tool ended before the line came.{Environment.NewLine}{this}");
                    }

                    while (_out.Reader.TryRead(out string? line))
                    {
                        if (orWhenPolled ? SafeCheck(condition) : condition(line))
                        {
                            return line;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (!_cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"The line did not come within {LineTimeout.TotalSeconds} s.{Environment.NewLine}{this}");
                throw;
            }

            static bool SafeCheck(Func<string, bool> condition)
            {
                try
                {
                    return condition(string.Empty);
                }
                catch (Exception exception) when (exception is IOException or System.Text.Json.JsonException or KeyNotFoundException)
                {
                    // The destination is being written; looked at again after the next line or poll.
                    return false;
                }
            }
        }

        /// <summary>The next line of standard error that <paramref name="condition"/> accepts.</summary>
        public async Task<string> ErrorLineAsync(Func<string, bool> condition)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
            timeout.CancelAfter(LineTimeout);
            try
            {
                await foreach (string line in _err.Reader.ReadAllAsync(timeout.Token))
                {
                    if (condition(line))
                    {
                        return line;
                    }
                }
            }
            catch (OperationCanceledException) when (!_cancellationToken.IsCancellationRequested)
            {
            }

            Assert.Fail($"The error line did not come within {LineTimeout.TotalSeconds} s.{Environment.NewLine}{this}");
            throw new InvalidOperationException();
        }

        /// <summary>Sends <paramref name="signal"/> and waits for the tool to exit; its exit code.</summary>
        public async Task<int> StopAsync(int signal)
        {
            Assert.AreEqual(0, kill(_process.Id, signal), $"kill({_process.Id}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
            timeout.CancelAfter(LineTimeout);
            await _process.WaitForExitAsync(timeout.Token);
            // The output streams are drained once the process has exited.
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                CollectStaticTool.Kill(_process);
            }

            _process.Dispose();
            return ValueTask.CompletedTask;
        }

        public override string ToString()
        {
            lock (_lines)
            {
                lock (_errors)
                {
                    return $"--- stdout:{Environment.NewLine}{string.Join(Environment.NewLine, _lines)}{Environment.NewLine}--- stderr:{Environment.NewLine}{string.Join(Environment.NewLine, _errors)}";
                }
            }
        }

        private static void Add(string? line, List<string> lines, Channel<string> channel)
        {
            if (line is null)
            {
                channel.Writer.TryComplete();
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            channel.Writer.TryWrite(line);
        }
    }
}
