using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Tests.Rewriting;

/// <summary>What the JavaScript scanner tests share: one reference, its raw text, the URLs found, and a rewrite as the collector does it.</summary>
internal static class JsScan
{
    public static AssetReference Single(string js)
    {
        IReadOnlyList<AssetReference> references = JsReferenceScanner.Scan(js);
        Assert.HasCount(1, references, string.Join(", ", references));
        return references[0];
    }

    public static string Raw(string js, AssetReference reference) => js.Substring(reference.Start, reference.Length);

    public static string[] Urls(string js) => [.. JsReferenceScanner.Scan(js).Select(r => r.Url)];

    public static string Hash(string logicalPath)
    {
        int dot = logicalPath.LastIndexOf('.');
        return logicalPath[..dot] + ".0123456789ab" + logicalPath[dot..];
    }

    /// <summary>Rewrites every resolved reference to <see cref="Hash"/>'s name, as the collector does.</summary>
    public static string Rewrite(string js, string sourcePath = "js/app.js")
    {
        var replacements = new List<ReferenceReplacement>();
        foreach (AssetReference reference in JsReferenceScanner.Scan(js))
        {
            if (ReferenceResolver.TryResolve(sourcePath, reference.Url, "/static/", out ResolvedReference resolved))
            {
                replacements.Add(new ReferenceReplacement(reference, ReferenceResolver.FormatReplacement(reference, resolved, Hash(resolved.TargetPath!))));
            }
        }

        return ReferenceRewriter.Apply(js, replacements);
    }
}
