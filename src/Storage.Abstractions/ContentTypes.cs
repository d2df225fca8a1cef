using System.Collections.Frozen;

namespace Wharf.Storage;

/// <summary>Infers content types from file extensions, for objects saved without one.</summary>
public static class ContentTypes
{
    /// <summary>The type of content of unknown kind.</summary>
    public const string OctetStream = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8", [".cjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json", [".map"] = "application/json", [".jsonld"] = "application/ld+json",
        [".webmanifest"] = "application/manifest+json", [".xml"] = "application/xml", [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8", [".csv"] = "text/csv; charset=utf-8", [".tsv"] = "text/tab-separated-values",
        [".ics"] = "text/calendar", [".vtt"] = "text/vtt", [".yaml"] = "application/yaml", [".yml"] = "application/yaml",
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".avif"] = "image/avif", [".svg"] = "image/svg+xml", [".ico"] = "image/x-icon",
        [".bmp"] = "image/bmp", [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".heic"] = "image/heic",
        [".apng"] = "image/apng", [".jxl"] = "image/jxl",
        [".woff"] = "font/woff", [".woff2"] = "font/woff2", [".ttf"] = "font/ttf", [".otf"] = "font/otf",
        [".eot"] = "application/vnd.ms-fontobject",
        [".mp3"] = "audio/mpeg", [".ogg"] = "audio/ogg", [".oga"] = "audio/ogg", [".wav"] = "audio/wav",
        [".flac"] = "audio/flac", [".m4a"] = "audio/mp4", [".aac"] = "audio/aac", [".opus"] = "audio/opus",
        [".mp4"] = "video/mp4", [".m4v"] = "video/mp4", [".webm"] = "video/webm", [".ogv"] = "video/ogg",
        [".mov"] = "video/quicktime", [".avi"] = "video/x-msvideo", [".mkv"] = "video/x-matroska",
        [".pdf"] = "application/pdf", [".zip"] = "application/zip", [".gz"] = "application/gzip",
        [".tgz"] = "application/gzip", [".tar"] = "application/x-tar", [".bz2"] = "application/x-bzip2",
        [".xz"] = "application/x-xz", [".zst"] = "application/zstd", [".7z"] = "application/x-7z-compressed",
        [".rar"] = "application/vnd.rar", [".br"] = "application/x-brotli", [".wasm"] = "application/wasm",
        [".doc"] = "application/msword", [".xls"] = "application/vnd.ms-excel", [".ppt"] = "application/vnd.ms-powerpoint",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".odp"] = "application/vnd.oasis.opendocument.presentation", [".rtf"] = "application/rtf",
        [".epub"] = "application/epub+zip", [".eml"] = "message/rfc822",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The content type for a name's last extension, or <see cref="OctetStream"/> when it is unknown.</summary>
    public static string FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int dot = name.LastIndexOf('.');
        return dot >= 0 && dot > name.LastIndexOf('/')
            && ByExtension.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name.AsSpan(dot), out string? type)
            ? type
            : OctetStream;
    }
}
