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

            if (asset.IsFingerprinted && !_paths.TryAdd(asset.LogicalPath, asset.StoredPath))
            {
                throw new ArgumentException($"The logical path '{asset.LogicalPath}' has two fingerprinted files, '{_paths[asset.LogicalPath]}' and '{asset.StoredPath}'.", nameof(assets));
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

    /// <summary>
    /// Writes the manifest as deterministic, compact UTF-8 JSON (sorted keys): Django's fields, then Wharf's section,
    /// one entry per logical path (see the remarks on the format).
    /// </summary>
    /// <remarks>
    /// <para>
    /// <c>wharf.files</c> (format version 2) has one entry per logical path, keyed by it: the fingerprinted file's
    /// <c>size</c>, <c>sha256</c>, <c>integrity</c> and <c>encodings</c> (<c>{"br": [size, sha256]}</c>; a third item
    /// is the variant's path when it is not the file's path plus <c>.br</c> / <c>.gz</c>), its stored path being the
    /// one in <c>paths</c>; and <c>original</c> for a copy stored under the logical path itself: <c>true</c> when it has
    /// the same content, otherwise an object of the same fields. A content <c>type</c> is written only when it is not
    /// the one the name implies.
    /// </para>
    /// <para>
    /// Nothing is written twice: a collected tree of 10,000 files (each under its fingerprinted and original name)
    /// gives a manifest less than half the size of format version 1, which wrote one entry per stored file. A large
    /// manifest is paid for by every re-collect (written) and every app start (read).
    /// </para>
    /// </remarks>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Write(destination, ByLogicalPath());
    }

    /// <summary>
    /// Writes a manifest from its entries, sorted by ordinal logical path, without building a
    /// <see cref="StaticAssetManifest"/> (a collect writes one per run, and a re-collect should cost what changed).
    /// </summary>
    /// <returns>The Django hash written.</returns>
    internal static string Write(Stream destination, IReadOnlyList<ManifestEntry> entries)
    {
        using var buffer = new Internal.PooledBufferWriter(4096 + (entries.Count * 512));
        string hash = Write(buffer, entries);
        destination.Write(buffer.WrittenMemory.Span);
        return hash;
    }

    /// <inheritdoc cref="Write(Stream, IReadOnlyList{ManifestEntry})"/>
    /// <param name="destination">Where the JSON goes.</param>
    /// <param name="entries">The entries, sorted by ordinal logical path.</param>
    /// <param name="json">
    /// Each entry's JSON, by index, when known (a collect keeps it for the files it does not process again); the
    /// entries without it are serialized and their JSON is stored here. Null to serialize every entry.
    /// </param>
    internal static string Write(IBufferWriter<byte> destination, IReadOnlyList<ManifestEntry> entries, ManifestEntryJson?[]? json = null)
    {
        // The manifest is its entries' JSON, joined: an entry serializes the same whatever surrounds it, so a manifest
        // that differs from the last in a few entries costs those entries and a copy of the rest.
        var scratch = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(scratch, WriterOptions);
        var fragments = json ?? new ManifestEntryJson?[entries.Count];
        bool ordinalIsCodePointOrder = true;
        var django = new DjangoHash();
        Append(destination, "{\"paths\":{"u8);
        bool first = true;
        for (int i = 0; i < entries.Count; i++)
        {
            ManifestEntry entry = entries[i];
            ManifestEntryJson fragment = fragments[i] ??= Serialize(writer, scratch, entry);
            if (entry.Fingerprinted is { } fingerprinted)
            {
                if (!first)
                {
                    Append(destination, ","u8);
                }

                first = false;
                Append(destination, fragment.Paths);
                ordinalIsCodePointOrder &= !HasCharAboveSurrogates(entry.LogicalPath);
                django.Append(entry.LogicalPath, fingerprinted.StoredPath);
            }
        }

        string inOrder = django.Finish();
        string hash = ordinalIsCodePointOrder
            ? inOrder
            : ComputeDjangoHash(entries.Where(e => e.Fingerprinted is not null).Select(e => KeyValuePair.Create(e.LogicalPath, e.Fingerprinted!.StoredPath)));
        Append(destination, "},\"version\":\""u8);
        Append(destination, Encoding.UTF8.GetBytes(DjangoVersion));
        Append(destination, "\",\"hash\":\""u8);
        Append(destination, Encoding.UTF8.GetBytes(hash));
        Append(destination, "\",\"wharf\":{\"version\":"u8);
        Append(destination, Encoding.UTF8.GetBytes(FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Append(destination, ",\"files\":{"u8);
        for (int i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                Append(destination, ","u8);
            }

            Append(destination, fragments[i]!.Files);
        }

        Append(destination, "}}}"u8);
        return hash;

        static void Append(IBufferWriter<byte> destination, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(destination.GetSpan(bytes.Length));
            destination.Advance(bytes.Length);
        }
    }

    /// <summary>One entry's JSON: its <c>paths</c> member (when it has a fingerprinted file) and its <c>wharf.files</c> member.</summary>
    private static ManifestEntryJson Serialize(Utf8JsonWriter writer, ArrayBufferWriter<byte> scratch, ManifestEntry entry)
    {
        byte[] paths = [];
        if (entry.Fingerprinted is { } fingerprinted)
        {
            // Written as the only member of an object, whose braces are then left out.
            writer.WriteStartObject();
            writer.WriteString(entry.LogicalPath, fingerprinted.StoredPath);
            writer.WriteEndObject();
            paths = Member(writer, scratch);
        }

        writer.WriteStartObject();
        writer.WriteStartObject(entry.LogicalPath);
        if (entry.Fingerprinted is { } written)
        {
            WriteFields(writer, written);
        }

        if (entry.Original is { } original)
        {
            if (entry.Fingerprinted is { } same && HasSameContent(same, original))
            {
                writer.WriteBoolean("original", true);
            }
            else
            {
                writer.WriteStartObject("original");
                WriteFields(writer, original);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        return new ManifestEntryJson(paths, Member(writer, scratch));

        static byte[] Member(Utf8JsonWriter writer, ArrayBufferWriter<byte> scratch)
        {
            writer.Flush();
            byte[] member = scratch.WrittenSpan[1..^1].ToArray();
            scratch.ResetWrittenCount();
            writer.Reset(scratch);
            return member;
        }
    }

    /// <summary>
    /// Compact, unvalidated (the writer's own calls are balanced), relaxed escaping: the manifest is a JSON file, never
    /// inlined into HTML, and the default encoder would write every '+' of an integrity value and every non-ASCII
    /// character as a \uXXXX escape.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The format version of <c>wharf.files</c> written.</summary>
    private const int FormatVersion = 2;

    /// <summary>Each logical path with its fingerprinted file and its original copy (either may be missing), sorted.</summary>
    private ManifestEntry[] ByLogicalPath()
    {
        var groups = new Dictionary<string, (StaticAsset? Fingerprinted, StaticAsset? Original)>(_byLogicalPath.Count, StringComparer.Ordinal);
        foreach (StaticAsset asset in _byStoredPath.Values)
        {
            ref (StaticAsset? Fingerprinted, StaticAsset? Original) group = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, asset.LogicalPath, out _);
            if (asset.IsFingerprinted)
            {
                group.Fingerprinted = asset;
            }
            else
            {
                group.Original = asset;
            }
        }

        ManifestEntry[] sorted = [.. groups.Select(g => new ManifestEntry(g.Key, g.Value.Fingerprinted, g.Value.Original))];
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.LogicalPath, b.LogicalPath));
        return sorted;
    }

    private static void WriteFields(Utf8JsonWriter writer, StaticAsset asset)
    {
        writer.WriteNumber("size", asset.Length);
        if (asset.ContentType != Storage.ContentTypes.FromName(asset.LogicalPath))
        {
            writer.WriteString("type", asset.ContentType);
        }

        writer.WriteString("sha256", asset.ContentHash);
        writer.WriteString("integrity", asset.Integrity);
        if (asset.Encodings.Count > 0)
        {
            writer.WriteStartObject("encodings");
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                writer.WriteStartArray(encoding.Name);
                writer.WriteNumberValue(encoding.Length);
                writer.WriteStringValue(encoding.ContentHash);
                if (encoding.StoredPath != ConventionalPath(asset.StoredPath, encoding.Name))
                {
                    writer.WriteStringValue(encoding.StoredPath);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>Where a variant is stored by convention (<c>x.css.br</c>, <c>x.css.gz</c>); null for another coding.</summary>
    private static string? ConventionalPath(string storedPath, string coding) => coding switch
    {
        Compression.ContentCodings.Brotli => storedPath + ".br",
        Compression.ContentCodings.Gzip => storedPath + ".gz",
        _ => null,
    };

    /// <summary>Whether an original copy holds exactly what the fingerprinted file does (variants included), so it is written as <c>true</c>.</summary>
    private static bool HasSameContent(StaticAsset fingerprinted, StaticAsset original)
    {
        if (fingerprinted.Length != original.Length || fingerprinted.ContentHash != original.ContentHash || fingerprinted.Integrity != original.Integrity
            || fingerprinted.ContentType != original.ContentType || fingerprinted.Encodings.Count != original.Encodings.Count)
        {
            return false;
        }

        for (int i = 0; i < original.Encodings.Count; i++)
        {
            StaticAssetEncoding a = fingerprinted.Encodings[i];
            StaticAssetEncoding b = original.Encodings[i];
            if (a.Name != b.Name || a.Length != b.Length || a.ContentHash != b.ContentHash
                || a.StoredPath != ConventionalPath(fingerprinted.StoredPath, a.Name) || b.StoredPath != ConventionalPath(original.StoredPath, b.Name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The manifest as UTF-8 JSON bytes.</summary>
    public byte[] ToUtf8Bytes()
    {
        // At most about 500 bytes per logical path (with an original and two variants): one allocation of the right size instead of a doubling MemoryStream.
        using var buffer = new MemoryStream(1024 + (_byLogicalPath.Count * 512));
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
            // Parse, unlike ParseValue, refuses anything after the manifest's object.
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            throw new StaticManifestException($"The manifest is not valid JSON: {exception.Message}", exception);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException exception)
            {
                // A string of invalid UTF-8, or an escaped lone surrogate, is only found when it is read.
                throw new StaticManifestException($"The manifest is not valid JSON: {exception.Message}", exception);
            }
        }
    }

    private static StaticAssetManifest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new StaticManifestException("The manifest is not a JSON object.");
        }

        string? version = root.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (version is not ("1.0" or "1.1"))
        {
            throw new StaticManifestException($"The manifest's version is '{version ?? "(none)"}'; versions 1.0 and 1.1 are read.");
        }

        bool hasPaths = root.TryGetProperty("paths", out JsonElement paths);
        if (hasPaths && paths.ValueKind != JsonValueKind.Object)
        {
            throw new StaticManifestException("The manifest's paths is not a JSON object.");
        }

        var assets = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        if (root.TryGetProperty("wharf", out JsonElement wharf))
        {
            if (wharf.ValueKind != JsonValueKind.Object)
            {
                throw new StaticManifestException("The manifest's wharf section is not a JSON object.");
            }

            int format = wharf.TryGetProperty("version", out JsonElement formatElement) ? ReadInt32(formatElement, "wharf.version") : 1;
            if (format is not (1 or FormatVersion))
            {
                throw new StaticManifestException($"The manifest's wharf.version is {format}; versions 1 and {FormatVersion} are read (a newer Wharf wrote it?).");
            }

            if (wharf.TryGetProperty("files", out JsonElement files))
            {
                if (files.ValueKind != JsonValueKind.Object)
                {
                    throw new StaticManifestException("The manifest's wharf.files is not a JSON object.");
                }

                if (format == 1)
                {
                    ReadFilesV1(files, assets);
                }
                else
                {
                    ReadFilesV2(files, paths, assets);
                }
            }
        }

        if (hasPaths)
        {
            foreach (JsonProperty path in paths.EnumerateObject())
            {
                string stored = path.Value.ValueKind == JsonValueKind.String ? path.Value.GetString()! : throw new StaticManifestException($"The path of '{path.Name}' is not a string.");
                if (assets.TryGetValue(stored, out StaticAsset? known))
                {
                    if (known.LogicalPath != path.Name)
                    {
                        throw new StaticManifestException($"The path of '{path.Name}', '{stored}', is the file of '{known.LogicalPath}'.");
                    }
                }
                else
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

        try
        {
            return new StaticAssetManifest(assets.Values);
        }
        catch (ArgumentException exception)
        {
            throw new StaticManifestException($"The manifest is inconsistent: {exception.Message}", exception);
        }
    }

    /// <summary>Format version 1: one entry per stored file, keyed by its stored path.</summary>
    private static void ReadFilesV1(JsonElement files, Dictionary<string, StaticAsset> assets)
    {
        foreach (JsonProperty file in files.EnumerateObject())
        {
            JsonElement data = RequireObject(file.Value, file.Name);
            var encodings = new List<StaticAssetEncoding>();
            if (data.TryGetProperty("encodings", out JsonElement encodingsElement))
            {
                foreach (JsonProperty encoding in RequireObject(encodingsElement, file.Name + " encodings").EnumerateObject())
                {
                    JsonElement value = RequireObject(encoding.Value, file.Name + " encoding " + encoding.Name);
                    encodings.Add(new StaticAssetEncoding(
                        encoding.Name,
                        ReadString(value, "path", file.Name) ?? throw new StaticManifestException($"The {encoding.Name} encoding of '{file.Name}' has no path."),
                        value.TryGetProperty("size", out JsonElement size) ? ReadInt64(size, file.Name) : throw new StaticManifestException($"The {encoding.Name} encoding of '{file.Name}' has no size."),
                        ReadString(value, "sha256", file.Name) ?? string.Empty));
                }
            }

            string logical = ReadString(data, "logical", file.Name) ?? file.Name;
            Add(assets, new StaticAsset
            {
                StoredPath = file.Name,
                LogicalPath = logical,
                Length = data.TryGetProperty("size", out JsonElement length) ? ReadInt64(length, file.Name) : 0,
                ContentType = ReadString(data, "type", file.Name) ?? Storage.ContentTypes.FromName(file.Name),
                ContentHash = ReadString(data, "sha256", file.Name) ?? string.Empty,
                Integrity = ReadString(data, "integrity", file.Name) ?? string.Empty,
                Encodings = encodings,
            });
        }
    }

    /// <summary>Format version 2: one entry per logical path (see <see cref="WriteTo"/>).</summary>
    private static void ReadFilesV2(JsonElement files, JsonElement paths, Dictionary<string, StaticAsset> assets)
    {
        // JsonElement.TryGetProperty scans the object: one dictionary, not a scan of 'paths' per file.
        var storedPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        if (paths.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty path in paths.EnumerateObject())
            {
                if (path.Value.ValueKind == JsonValueKind.String)
                {
                    storedPaths[path.Name] = path.Value.GetString()!;
                }
            }
        }

        foreach (JsonProperty file in files.EnumerateObject())
        {
            string logical = file.Name;
            JsonElement data = RequireObject(file.Value, logical);
            StaticAsset? fingerprinted = null;
            if (FingerprintFields.Any(field => data.TryGetProperty(field, out _)))
            {
                string stored = storedPaths.TryGetValue(logical, out string? storedPath)
                    ? storedPath
                    : throw new StaticManifestException($"The file '{logical}' has no fingerprinted path in 'paths'.");
                fingerprinted = ReadAsset(data, logical, stored);
                Add(assets, fingerprinted);
            }

            if (!data.TryGetProperty("original", out JsonElement original))
            {
                continue;
            }

            if (original.ValueKind == JsonValueKind.True)
            {
                StaticAsset same = fingerprinted ?? throw new StaticManifestException($"The original of '{logical}' is said to be the fingerprinted file, which is not there.");
                Add(assets, same with
                {
                    StoredPath = logical,
                    Encodings = [.. same.Encodings.Select(e => e with { StoredPath = ConventionalPath(logical, e.Name) ?? e.StoredPath })],
                });
            }
            else
            {
                Add(assets, ReadAsset(RequireObject(original, logical + " original"), logical, logical));
            }
        }
    }

    private static StaticAsset ReadAsset(JsonElement data, string logical, string stored)
    {
        var encodings = new List<StaticAssetEncoding>();
        if (data.TryGetProperty("encodings", out JsonElement encodingsElement))
        {
            foreach (JsonProperty encoding in RequireObject(encodingsElement, stored + " encodings").EnumerateObject())
            {
                JsonElement value = encoding.Value;
                int count = value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0;
                if (count is < 2 or > 3)
                {
                    throw new StaticManifestException($"The {encoding.Name} encoding of '{stored}' is not [size, sha256] or [size, sha256, path].");
                }

                string? path = count == 3 ? ReadStringValue(value[2], stored) : ConventionalPath(stored, encoding.Name);
                encodings.Add(new StaticAssetEncoding(
                    encoding.Name,
                    path ?? throw new StaticManifestException($"The {encoding.Name} encoding of '{stored}' has no path (an unknown coding needs one)."),
                    ReadInt64(value[0], stored),
                    ReadStringValue(value[1], stored)));
            }
        }

        return new StaticAsset
        {
            StoredPath = stored,
            LogicalPath = logical,
            Length = data.TryGetProperty("size", out JsonElement size) ? ReadInt64(size, stored) : throw new StaticManifestException($"The file '{stored}' of '{logical}' has no size."),
            ContentType = ReadString(data, "type", stored) ?? Storage.ContentTypes.FromName(logical),
            ContentHash = ReadString(data, "sha256", stored) ?? string.Empty,
            Integrity = ReadString(data, "integrity", stored) ?? string.Empty,
            Encodings = encodings,
        };
    }

    /// <summary>The fields of a file in format version 2; any of them means the entry has a fingerprinted file.</summary>
    private static readonly string[] FingerprintFields = ["size", "type", "sha256", "integrity", "encodings"];

    private static void Add(Dictionary<string, StaticAsset> assets, StaticAsset asset)
    {
        if (!assets.TryAdd(asset.StoredPath, asset))
        {
            throw new StaticManifestException($"The manifest has two entries stored under '{asset.StoredPath}'.");
        }
    }

    private static JsonElement RequireObject(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new StaticManifestException($"The manifest entry of '{what}' is not a JSON object.");

    private static string? ReadString(JsonElement data, string property, string what) =>
        data.TryGetProperty(property, out JsonElement value) ? ReadStringValue(value, what + " " + property) : null;

    private static string ReadStringValue(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new StaticManifestException($"The manifest's '{what}' is not a string.");

    private static long ReadInt64(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) && number >= 0
            ? number
            : throw new StaticManifestException($"The manifest's size of '{what}' is not a non-negative integer.");

    private static int ReadInt32(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw new StaticManifestException($"The manifest's '{what}' is not an integer.");

    /// <summary>
    /// Django's manifest hash: 12 hex of the MD5 of the JSON of the <c>[[key, value], …]</c> list sorted as Python
    /// sorts strings, by code point.
    /// </summary>
    /// <param name="paths">The pairs.</param>
    /// <param name="sorted">The pairs are in code point order already (skips the sort).</param>
    private static string ComputeDjangoHash(IEnumerable<KeyValuePair<string, string>> paths, bool sorted = false)
    {
        IEnumerable<KeyValuePair<string, string>> ordered = sorted ? paths : paths.Order(CodePointKeyOrder.Instance);
        var django = new DjangoHash();
        foreach (KeyValuePair<string, string> pair in ordered)
        {
            django.Append(pair.Key, pair.Value);
        }

        return django.Finish();
    }

    /// <summary>
    /// Python's string order (by code point). UTF-16 ordinal order is the same except where a surrogate (a code point
    /// above U+FFFF) meets a character from U+E000 to U+FFFF: ordinally the surrogate (D800–DFFF) comes first.
    /// </summary>
    internal static int CompareByCodePoint(string a, string b)
    {
        int length = Math.Min(a.Length, b.Length);
        for (int i = 0; i < length; i++)
        {
            char x = a[i];
            char y = b[i];
            if (x != y)
            {
                return Fixup(x) - Fixup(y);
            }
        }

        return a.Length - b.Length;

        // Surrogates move above U+FFFF's range, U+E000..U+FFFF move down into the gap they leave.
        static int Fixup(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    private sealed class CodePointKeyOrder : IComparer<KeyValuePair<string, string>>
    {
        public static readonly CodePointKeyOrder Instance = new();

        public int Compare(KeyValuePair<string, string> x, KeyValuePair<string, string> y) => CompareByCodePoint(x.Key, y.Key);
    }

    private static bool HasCharAboveSurrogates(string value)
    {
        foreach (char c in value)
        {
            if (c >= 0xD800)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Django's <c>manifest_hash</c>, computed as the pairs come (in ordinal order of key): MD5 over what Python's
    /// <c>json.dumps(sorted(paths.items()))</c> gives — <c>", "</c> between items, non-ASCII escaped as <c>\uXXXX</c>, so
    /// the text is ASCII and its bytes are its characters.
    /// </summary>
    private sealed class DjangoHash
    {
#pragma warning disable CA5351 // Django's manifest hash is MD5; it is a change signal, not a security digest.
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        private readonly byte[] _buffer = new byte[4096];
        private int _length;
        private bool _first = true;

        public DjangoHash() => Add('[');

        public void Append(string key, string value)
        {
            if (!_first)
            {
                Add(',');
                Add(' ');
            }

            _first = false;
            Add('[');
            AddString(key);
            Add(',');
            Add(' ');
            AddString(value);
            Add(']');
        }

        public string Finish()
        {
            Add(']');
            _md5.AppendData(_buffer, 0, _length);
            string hex = Convert.ToHexStringLower(_md5.GetHashAndReset())[..12];
            _md5.Dispose();
            return hex;
        }

        /// <summary>What Python's JSON writes as it is (printable ASCII but the quote and backslash).</summary>
        private static readonly System.Buffers.SearchValues<char> Verbatim = System.Buffers.SearchValues.Create(
            [.. Enumerable.Range(0x20, 0x7f - 0x20).Select(c => (char)c).Where(c => c is not '"' and not '\\')]);

        private void AddString(string value)
        {
            Add('"');
            if (!value.AsSpan().ContainsAnyExcept(Verbatim) && value.Length <= _buffer.Length)
            {
                // The usual path: no escape, so the characters are the bytes (one vectorized copy, not a switch per character).
                if (_buffer.Length - _length < value.Length)
                {
                    _md5.AppendData(_buffer, 0, _length);
                    _length = 0;
                }

                System.Text.Ascii.FromUtf16(value, _buffer.AsSpan(_length), out int written);
                _length += written;
                Add('"');
                return;
            }

            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': Add('\\'); Add('"'); break;
                    case '\\': Add('\\'); Add('\\'); break;
                    case '\n': Add('\\'); Add('n'); break;
                    case '\r': Add('\\'); Add('r'); break;
                    case '\t': Add('\\'); Add('t'); break;
                    case '\b': Add('\\'); Add('b'); break;
                    case '\f': Add('\\'); Add('f'); break;
                    default:
                        if (c < 0x20 || c > 0x7e)
                        {
                            Add('\\');
                            Add('u');
                            Add(HexDigit(c >> 12));
                            Add(HexDigit((c >> 8) & 0xF));
                            Add(HexDigit((c >> 4) & 0xF));
                            Add(HexDigit(c & 0xF));
                        }
                        else
                        {
                            Add(c);
                        }

                        break;
                }
            }

            Add('"');
        }

        private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

        private void Add(char c)
        {
            if (_length == _buffer.Length)
            {
                _md5.AppendData(_buffer, 0, _length);
                _length = 0;
            }

            _buffer[_length++] = (byte)c;
        }
    }
}

/// <summary>A logical path with its fingerprinted file and its original copy (either may be missing), as the manifest writes them.</summary>
internal readonly record struct ManifestEntry(string LogicalPath, StaticAsset? Fingerprinted, StaticAsset? Original);

/// <summary>An entry's JSON members, as the manifest writes them: in <c>paths</c> (empty without a fingerprinted file) and in <c>wharf.files</c>.</summary>
internal sealed record ManifestEntryJson(byte[] Paths, byte[] Files);

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
