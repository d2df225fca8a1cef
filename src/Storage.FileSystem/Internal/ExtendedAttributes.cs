using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>
/// Content type, cache control and metadata in one <c>user.wharf</c> extended attribute, so reading an object's
/// information costs one call. Format: lines of <c>key TAB value</c>; every value is printable ASCII (checked by
/// <see cref="StorageBase"/>), so tabs and newlines never occur inside one.
/// </summary>
internal static class ExtendedAttributes
{
    private const string AttributeName = "user.wharf";
    private const string ContentTypeKey = "content-type";
    private const string CacheControlKey = "cache-control";
    private const string MetadataPrefix = "meta.";

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Writes the attribute on an open file; returns the errno, 0 on success.</summary>
    public static int Write(SafeHandle file, StagingRequest request)
    {
        var builder = new StringBuilder(128);
        builder.Append(ContentTypeKey).Append('\t').Append(request.ContentType).Append('\n');
        if (request.CacheControl is { } cacheControl)
        {
            builder.Append(CacheControlKey).Append('\t').Append(cacheControl).Append('\n');
        }

        foreach ((string key, string value) in request.Metadata)
        {
            builder.Append(MetadataPrefix).Append(key).Append('\t').Append(value).Append('\n');
        }

        byte[] bytes = Encoding.ASCII.GetBytes(builder.ToString());
        return NativeMethods.FSetXAttr(file, AttributeName, bytes, (nuint)bytes.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Reads the attribute of a path; null when it has none.</summary>
    public static (string? ContentType, string? CacheControl, Dictionary<string, string>? Metadata)? Read(string path)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            nint length = NativeMethods.GetXAttr(path, AttributeName, buffer, (nuint)buffer.Length);
            if (length < 0)
            {
                return null;
            }

            string? contentType = null, cacheControl = null;
            Dictionary<string, string>? metadata = null;
            foreach (string line in Encoding.ASCII.GetString(buffer, 0, (int)length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab <= 0)
                {
                    continue;
                }

                string key = line[..tab];
                string value = line[(tab + 1)..];
                if (key == ContentTypeKey)
                {
                    contentType = value;
                }
                else if (key == CacheControlKey)
                {
                    cacheControl = value;
                }
                else if (key.StartsWith(MetadataPrefix, StringComparison.Ordinal))
                {
                    (metadata ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[key[MetadataPrefix.Length..]] = value;
                }
            }

            return (contentType, cacheControl, metadata);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Tells whether user extended attributes work in a folder, by writing one on a probe file.</summary>
    public static bool Probe(string folder, string probeName)
    {
        if (!IsSupported)
        {
            return false;
        }

        string path = Path.Join(folder, probeName);
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                byte[] value = "probe"u8.ToArray();
                return NativeMethods.FSetXAttr(file.SafeFileHandle, AttributeName, value, (nuint)value.Length, 0) == 0;
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
