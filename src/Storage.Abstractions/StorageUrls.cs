using System.Text;

namespace Wharf.Storage;

/// <summary>Builds object URLs from a base URL.</summary>
public static class StorageUrls
{
    /// <summary>
    /// Appends an object name to a base URL, escaping each segment (RFC 3986: only unreserved characters stay as they
    /// are) and keeping the <c>/</c> separators.
    /// </summary>
    /// <param name="baseUrl">An absolute or relative base, such as <c>https://cdn.example.com/media</c> or <c>/media/</c>.</param>
    /// <param name="name">A valid object name.</param>
    public static Uri Combine(string baseUrl, string name)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(baseUrl.Length + name.Length + 16).Append(baseUrl);
        if (builder.Length == 0 || builder[^1] != '/')
        {
            builder.Append('/');
        }

        AppendEscapedName(builder, name);
        return new Uri(builder.ToString(), UriKind.RelativeOrAbsolute);
    }

    /// <summary>Appends a name with each segment escaped as a URI path segment.</summary>
    public static StringBuilder AppendEscapedName(StringBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        int start = 0;
        while (true)
        {
            int slash = name.IndexOf('/', start);
            string segment = slash < 0 ? name[start..] : name[start..slash];
            builder.Append(Uri.EscapeDataString(segment));
            if (slash < 0)
            {
                return builder;
            }

            builder.Append('/');
            start = slash + 1;
        }
    }
}
