using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wharf.StaticManifest.Runtime;

/// <summary>The <see cref="IStaticAssetResolver"/> over the provider's current index.</summary>
internal sealed partial class StaticAssetResolver : IStaticAssetResolver
{
    private readonly StaticAssetManifestProvider _provider;
    private readonly bool _strict;
    private readonly ILogger _logger;

    public StaticAssetResolver(StaticAssetManifestProvider provider, bool strict, ILogger<StaticAssetResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _provider = provider;
        _strict = strict;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public ResolvedStaticAsset Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        // One read of the index: a reload swapping it mid-call cannot mix two manifests in one answer. Manifest keys
        // never start with '/', so a leading slash goes straight to the span lookup instead of a certain miss first.
        StaticAssetIndex index = _provider.Index;
        return !path.StartsWith('/') && index.Entries.TryGetValue(path, out ResolvedStaticAsset? hit) ? hit : ResolveSlow(index, path);
    }

    public bool TryResolve(string path, [NotNullWhen(true)] out ResolvedStaticAsset? asset)
    {
        ArgumentNullException.ThrowIfNull(path);
        StaticAssetIndex index = _provider.Index;
        if (!path.StartsWith('/') && index.Entries.TryGetValue(path, out asset))
        {
            return true;
        }

        ReadOnlySpan<char> key = StaticAssetPath.Split(path, out ReadOnlySpan<char> suffix);
        if (!key.IsEmpty && index.SpanLookup.TryGetValue(key, out ResolvedStaticAsset? found))
        {
            asset = found.WithSuffix(suffix);
            return true;
        }

        asset = null;
        return false;
    }

    public string GetUrl(string path) => Resolve(path).Url;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ResolvedStaticAsset ResolveSlow(StaticAssetIndex index, string path)
    {
        ReadOnlySpan<char> key = StaticAssetPath.Split(path, out ReadOnlySpan<char> suffix);
        if (key.IsEmpty)
        {
            throw new ArgumentException($"'{path}' names no static asset: the path is empty.", nameof(path));
        }

        if (index.SpanLookup.TryGetValue(key, out ResolvedStaticAsset? found))
        {
            return found.WithSuffix(suffix);
        }

        if (_strict)
        {
            throw new StaticAssetNotFoundException(path, key.ToString(), index.Source, index.FindCaseVariant(key));
        }

        ResolvedStaticAsset miss = index.GetMiss(key, out bool isNew, out bool limitReached);
        if (isNew)
        {
            Log.NotInManifest(_logger, miss.LogicalPath, index.Source, miss.Url);
        }
        else if (limitReached)
        {
            Log.TooManyMisses(_logger, StaticAssetIndex.MaxRememberedMisses, index.Source);
        }

        return miss.WithSuffix(suffix);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
            Message = "Static asset {LogicalPath} is not in the manifest from {Source}; using the unhashed URL {Url} because lookups are not strict. Logged once per path and manifest")]
        public static partial void NotInManifest(ILogger logger, string logicalPath, string source, string url);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
            Message = "More than {Limit} different static asset paths are missing from the manifest from {Source}; further ones are not logged")]
        public static partial void TooManyMisses(ILogger logger, int limit, string source);
    }
}
