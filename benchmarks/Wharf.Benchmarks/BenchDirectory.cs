namespace Wharf.Benchmarks;

/// <summary>
/// Scratch folders for the file-system benchmarks, under the system temp folder (/tmp), never in the repository.
/// </summary>
/// <remarks>
/// The host process (Program) creates one run folder, passes it to the benchmark processes BenchmarkDotNet starts
/// through <see cref="RunRootVariable"/>, and deletes it when the whole run is over. Benchmark processes never
/// delete files while others are being measured: on ext4 without a journal (as here) creating a file skips inodes
/// deleted in the last minutes (<c>recently_deleted</c> in <c>find_inode_bit</c>), so deleting thousands of
/// files makes every later save slower and would bias whichever benchmark runs next.
/// </remarks>
internal static class BenchDirectory
{
    /// <summary>The environment variable that names the run folder.</summary>
    public const string RunRootVariable = "WHARF_BENCH_ROOT";

    /// <summary>Creates the run folder in the host process and publishes it to the benchmark processes.</summary>
    public static string CreateRunRoot()
    {
        string root = Path.Join(Path.GetTempPath(), $"wharf-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        Environment.SetEnvironmentVariable(RunRootVariable, root);
        return root;
    }

    /// <summary>
    /// Creates a fresh, empty folder unique to this process and call: inside the run folder when there is one
    /// (then the host deletes it), else directly under the temp folder (then <see cref="Release"/> deletes it).
    /// </summary>
    public static string Create(string kind)
    {
        string? root = Environment.GetEnvironmentVariable(RunRootVariable);
        string parent = root is { Length: > 0 } && Directory.Exists(root) ? root : Path.GetTempPath();
        string path = Path.Join(parent, $"wharf-bench-{kind}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder made by <see cref="Create"/> unless the host deletes it after the run.</summary>
    public static void Release(string? path)
    {
        string? root = Environment.GetEnvironmentVariable(RunRootVariable);
        if (path is null || (root is { Length: > 0 } && path.StartsWith(root, StringComparison.Ordinal)))
        {
            return;
        }

        Remove(path);
    }

    /// <summary>Deletes a folder and what it holds; never throws.</summary>
    public static void Remove(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deterministic, incompressible content of the given size.</summary>
    public static byte[] CreateContent(int size)
    {
        byte[] content = new byte[size];
        new Random(42).NextBytes(content);
        return content;
    }
}
