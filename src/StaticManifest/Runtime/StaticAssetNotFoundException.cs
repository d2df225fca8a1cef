namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// A strict lookup asked for a logical path the manifest does not have. Thrown the same way in every environment:
/// there is no development bypass (Django's <c>DEBUG</c> one is why its "Missing staticfiles manifest entry" errors
/// surface only in production, #26329).
/// </summary>
public sealed class StaticAssetNotFoundException : StaticManifestException
{
    /// <summary>Creates the exception.</summary>
    public StaticAssetNotFoundException()
    {
        RequestedPath = LogicalPath = ManifestSource = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public StaticAssetNotFoundException(string message)
        : base(message)
    {
        RequestedPath = LogicalPath = ManifestSource = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StaticAssetNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        RequestedPath = LogicalPath = ManifestSource = string.Empty;
    }

    /// <summary>Creates the exception for a missing entry.</summary>
    /// <param name="requestedPath">The path as the caller gave it, such as <c>/css/site.css?v=2</c>.</param>
    /// <param name="logicalPath">The manifest key it was looked up as, such as <c>css/site.css</c>.</param>
    /// <param name="manifestSource">Where the manifest was loaded from.</param>
    /// <param name="suggestion">A logical path that differs only in case, if the manifest has one.</param>
    public StaticAssetNotFoundException(string requestedPath, string logicalPath, string manifestSource, string? suggestion)
        : base(CreateMessage(requestedPath, logicalPath, manifestSource, suggestion))
    {
        RequestedPath = requestedPath;
        LogicalPath = logicalPath;
        ManifestSource = manifestSource;
    }

    /// <summary>The path as the caller gave it.</summary>
    public string RequestedPath { get; }

    /// <summary>The manifest key it was looked up as (no leading <c>/</c>, no query or fragment).</summary>
    public string LogicalPath { get; }

    /// <summary>Where the manifest was loaded from, such as <c>file '/srv/static/staticfiles.json'</c>.</summary>
    public string ManifestSource { get; }

    private static string CreateMessage(string requestedPath, string logicalPath, string manifestSource, string? suggestion)
    {
        string asked = requestedPath == logicalPath ? string.Empty : $" (asked for '{requestedPath}')";
        string hint = suggestion is null ? string.Empty : $" Did you mean '{suggestion}'? Paths are case-sensitive.";
        return $"Missing static asset manifest entry for '{logicalPath}'{asked} in the manifest from {manifestSource}.{hint} " +
            "Lookups are strict in every environment: add the file and collect again, or fix the reference.";
    }
}
