using System.Reflection;
using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// The collector's local cache file (<c>StaticCollectOptions.CacheFile</c>), set by reflection so the benchmarks build
/// and run against a collector with or without it: without it, the cached cases are reported as not available.
/// </summary>
internal static class CacheOption
{
    private static readonly PropertyInfo? Property = typeof(StaticCollectOptions).GetProperty("CacheFile", typeof(string));

    public static bool IsAvailable => Property is not null;

    public static void Apply(StaticCollectOptions options, string? cacheFile)
    {
        if (cacheFile is null)
        {
            return;
        }

        if (Property is null)
        {
            throw new InvalidOperationException("This collector has no StaticCollectOptions.CacheFile.");
        }

        Property.SetValue(options, cacheFile);
    }
}
