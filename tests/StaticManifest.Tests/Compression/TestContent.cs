using System.Globalization;
using System.Text;

namespace Wharf.StaticManifest.Tests.Compression;

/// <summary>Deterministic content that compresses like real assets (seeded, so every run and every test sees the same bytes).</summary>
internal static class TestContent
{
    private static readonly string[] Properties = ["color", "margin", "padding", "display", "border-radius", "font-size", "line-height", "background-color", "transition", "z-index"];
    private static readonly string[] Values = ["0", "1rem", "#0d6efd", "flex", "none", "var(--bs-gutter-x)", "0.375rem", "inherit", "all .15s ease-in-out", "calc(100% - 2rem)"];

    /// <summary>CSS-like text of exactly <paramref name="length"/> bytes.</summary>
    public static byte[] Css(int length, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length + 200);
        while (text.Length < length)
        {
            text.Append(CultureInfo.InvariantCulture, $".c{random.Next(5000):x}-{Properties[random.Next(Properties.Length)]} {{ ");
            for (int i = random.Next(1, 5); i > 0; i--)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Properties[random.Next(Properties.Length)]}: {Values[random.Next(Values.Length)]}; ");
            }

            text.Append("}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>Random bytes: nothing compresses them.</summary>
    public static byte[] Random(int length, int seed = 2)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    public static byte[] Decompress(string coding, ReadOnlyMemory<byte> compressed)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using Stream decoder = coding switch
        {
            "br" => new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress),
            "gzip" => new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress),
            _ => throw new ArgumentException(coding, nameof(coding)),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Join(System.IO.Path.GetTempPath(), "wharf-precompress-" + Guid.NewGuid().ToString("N"));

        public string Write(string relativePath, byte[] content)
        {
            string full = System.IO.Path.Join(Path, relativePath);
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
            return full;
        }

        public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
    }
}
