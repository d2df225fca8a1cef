using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Wharf.StaticManifest;

/// <summary>
/// The manifest of a collected static tree, <c>staticfiles.json</c>: logical path → fingerprinted path, in the format
/// Django's ManifestStaticFilesStorage reads (<c>paths</c>, <c>version</c> "1.1", <c>hash</c>), with Wharf's own data
/// alongside under <c>wharf</c>: per stored file its size, content type, SRI integrity, content hash and
/// precompressed variants.
/// </summary>
public sealed class StaticAssetManifest
{
    /// <summary>The manifest's usual name.</summary>
    public const string DefaultName = "staticfiles.json";

    /// <summary>The Django manifest version written.</summary>
    public const string DjangoVersion = "1.1";

    private readonly Dictionary<string, string> _paths;
    private readonly Dictionary<string, StaticAsset> _byStoredPath;
    private readonly Dictionary<string, StaticAsset> _byLogicalPath;

    /// <summary>Creates a manifest from its assets.</summary>
    /// <param name="assets">One entry per stored file; fingerprinted ones carry their logical path.</param>
    public StaticAssetManifest(IEnumerable<StaticAsset> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        _paths = new Dictionary<string, string>(StringComparer.Ordinal);
        _byStoredPath = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        _byLogicalPath = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        foreach (StaticAsset asset in assets)
        {
            if (!_byStoredPath.TryAdd(asset.StoredPath, asset))
            {
                throw new ArgumentException($"The stored path '{asset.StoredPath}' appears twice.", nameof(assets));
            }

            if (asset.LogicalPath != asset.StoredPath || !_byLogicalPath.ContainsKey(asset.LogicalPath))
            {
                _byLogicalPath[asset.LogicalPath] = asset;
            }

            if (asset.IsFingerprinted)
            {
                _paths[asset.LogicalPath] = asset.StoredPath;
            }
        }

        Hash = ComputeDjangoHash(_paths);
    }

    /// <summary>Logical path → fingerprinted stored path (Django's <c>paths</c>).</summary>
    public IReadOnlyDictionary<string, string> Paths => _paths;

    /// <summary>Every stored file, by stored path.</summary>
    public IReadOnlyDictionary<string, StaticAsset> Assets => _byStoredPath;

    /// <summary>
    /// A 12-hex digest of the sorted paths (Django's <c>hash</c>, its <c>manifest_hash</c>): it changes when any
    /// fingerprinted file does, a "deployment changed" signal for single-page apps.
    /// </summary>
    public string Hash { get; }

    /// <summary>Finds the asset a logical path (<c>css/site.css</c>) is served as: the fingerprinted file when there is one.</summary>
    public bool TryGetByLogicalPath(string logicalPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAsset? asset) =>
        _byLogicalPath.TryGetValue(logicalPath, out asset);

    /// <summary>Finds a stored file by its stored path (<c>css/site.1a2b3c4d5e6f.css</c>).</summary>
    public bool TryGetByStoredPath(string storedPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAsset? asset) =>
        _byStoredPath.TryGetValue(storedPath, out asset);

    /// <summary>Writes the manifest as deterministic, indented UTF-8 JSON (sorted keys).</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject("paths");
        foreach (KeyValuePair<string, string> pair in _paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(pair.Key, pair.Value);
        }

        writer.WriteEndObject();
        writer.WriteString("version", DjangoVersion);
        writer.WriteString("hash", Hash);
        writer.WriteStartObject("wharf");
        writer.WriteNumber("version", 1);
        writer.WriteStartObject("files");
        foreach (StaticAsset asset in _byStoredPath.Values.OrderBy(a => a.StoredPath, StringComparer.Ordinal))
        {
            writer.WriteStartObject(asset.StoredPath);
            if (asset.LogicalPath != asset.StoredPath)
            {
                writer.WriteString("logical", asset.LogicalPath);
            }

            writer.WriteNumber("size", asset.Length);
            writer.WriteString("type", asset.ContentType);
            writer.WriteString("sha256", asset.ContentHash);
            writer.WriteString("integrity", asset.Integrity);
            if (asset.Encodings.Count > 0)
            {
                writer.WriteStartObject("encodings");
                foreach (StaticAssetEncoding encoding in asset.Encodings)
                {
                    writer.WriteStartObject(encoding.Name);
                    writer.WriteString("path", encoding.StoredPath);
                    writer.WriteNumber("size", encoding.Length);
                    writer.WriteString("sha256", encoding.ContentHash);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The manifest as UTF-8 JSON bytes.</summary>
    public byte[] ToUtf8Bytes()
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a manifest. A Django manifest (versions 1.0 and 1.1, no <c>wharf</c> section) gives fingerprinted assets
    /// with only their paths known.
    /// </summary>
    /// <exception cref="StaticManifestException">The JSON is not a manifest, or its version is unknown.</exception>
    public static StaticAssetManifest Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            var bytes = new ReadOnlySequence<byte>(utf8Json.ToArray());
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException exception)
        {
            throw new StaticManifestException($"The manifest is not valid JSON: {exception.Message}", exception);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StaticManifestException("The manifest is not a JSON object.");
            }

            string? version = root.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (version is not ("1.0" or "1.1"))
            {
                throw new StaticManifestException($"The manifest's version is '{version ?? "(none)"}'; versions 1.0 and 1.1 are read.");
            }

            var assets = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
            if (root.TryGetProperty("wharf", out JsonElement wharf) && wharf.TryGetProperty("files", out JsonElement files) && files.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty file in files.EnumerateObject())
                {
                    JsonElement data = file.Value;
                    var encodings = new List<StaticAssetEncoding>();
                    if (data.TryGetProperty("encodings", out JsonElement encodingsElement) && encodingsElement.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty encoding in encodingsElement.EnumerateObject())
                        {
                            encodings.Add(new StaticAssetEncoding(
                                encoding.Name,
                                encoding.Value.GetProperty("path").GetString()!,
                                encoding.Value.GetProperty("size").GetInt64(),
                                encoding.Value.TryGetProperty("sha256", out JsonElement eh) ? eh.GetString() ?? string.Empty : string.Empty));
                        }
                    }

                    assets[file.Name] = new StaticAsset
                    {
                        StoredPath = file.Name,
                        LogicalPath = data.TryGetProperty("logical", out JsonElement logical) ? logical.GetString()! : file.Name,
                        Length = data.TryGetProperty("size", out JsonElement size) ? size.GetInt64() : 0,
                        ContentType = data.TryGetProperty("type", out JsonElement type) ? type.GetString()! : Storage.ContentTypes.FromName(file.Name),
                        ContentHash = data.TryGetProperty("sha256", out JsonElement hash) ? hash.GetString()! : string.Empty,
                        Integrity = data.TryGetProperty("integrity", out JsonElement integrity) ? integrity.GetString()! : string.Empty,
                        Encodings = encodings,
                    };
                }
            }

            if (root.TryGetProperty("paths", out JsonElement paths) && paths.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty path in paths.EnumerateObject())
                {
                    string stored = path.Value.GetString() ?? throw new StaticManifestException($"The path of '{path.Name}' is not a string.");
                    if (!assets.ContainsKey(stored))
                    {
                        assets[stored] = new StaticAsset
                        {
                            StoredPath = stored,
                            LogicalPath = path.Name,
                            ContentType = Storage.ContentTypes.FromName(path.Name),
                            ContentHash = string.Empty,
                            Integrity = string.Empty,
                        };
                    }
                }
            }

            return new StaticAssetManifest(assets.Values);
        }
    }

    /// <summary>Django's manifest hash: 12 hex of the MD5 of the JSON of the sorted <c>[[key, value], …]</c> list.</summary>
    private static string ComputeDjangoHash(Dictionary<string, string> paths)
    {
        // json.dumps defaults: ", " between items, non-ASCII escaped as \uXXXX.
        var json = new StringBuilder("[");
        bool first = true;
        foreach (KeyValuePair<string, string> pair in paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!first)
            {
                json.Append(", ");
            }

            first = false;
            json.Append('[');
            AppendPythonJsonString(json, pair.Key);
            json.Append(", ");
            AppendPythonJsonString(json, pair.Value);
            json.Append(']');
        }

        json.Append(']');
#pragma warning disable CA5351 // Django's manifest hash is MD5; it is a change signal, not a security digest.
        byte[] digest = MD5.HashData(Encoding.UTF8.GetBytes(json.ToString()));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(digest)[..12];
    }

    private static void AppendPythonJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}

/// <summary>One stored file of a collected tree.</summary>
public sealed record StaticAsset
{
    /// <summary>The path the app asks for, such as <c>css/site.css</c>.</summary>
    public required string LogicalPath { get; init; }

    /// <summary>The path it is stored and served under, such as <c>css/site.1a2b3c4d5e6f.css</c>.</summary>
    public required string StoredPath { get; init; }

    /// <summary>Its size in bytes.</summary>
    public long Length { get; init; }

    /// <summary>Its content type, such as <c>text/css</c>.</summary>
    public required string ContentType { get; init; }

    /// <summary>The SHA-256 of its content, lower-case hex (empty when read from a Django manifest).</summary>
    public required string ContentHash { get; init; }

    /// <summary>The Subresource Integrity value, <c>sha384-…</c> (empty when unknown).</summary>
    public required string Integrity { get; init; }

    /// <summary>Precompressed variants stored beside it (Brotli, gzip).</summary>
    public IReadOnlyList<StaticAssetEncoding> Encodings { get; init; } = [];

    /// <summary>Whether the stored name carries a content hash (and so may be cached forever).</summary>
    public bool IsFingerprinted => LogicalPath != StoredPath;
}

/// <summary>A precompressed variant of a stored file.</summary>
/// <param name="Name">The content coding: <c>br</c> or <c>gzip</c>.</param>
/// <param name="StoredPath">Where it is stored, such as <c>css/site.1a2b3c4d5e6f.css.br</c>.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="ContentHash">The SHA-256 of its bytes, lower-case hex.</param>
public sealed record StaticAssetEncoding(string Name, string StoredPath, long Length, string ContentHash);

/// <summary>A manifest cannot be read, or a collect cannot complete.</summary>
public class StaticManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StaticManifestException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StaticManifestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StaticManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
