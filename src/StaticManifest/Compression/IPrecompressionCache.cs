namespace Wharf.StaticManifest.Compression;

/// <summary>
/// Remembers what precompression produced for a content, so unchanged files are not compressed again — Brotli 11
/// runs at about 0.5–1 MB/s per core, so this is what makes rebuilds fast. Entries are keyed by the SHA-256 of the
/// original content and by <see cref="Precompressor.SettingsKey"/> (the settings that change the output), so a file
/// whose content or settings changed is always compressed again.
/// </summary>
/// <remarks>Implementations must be safe to call concurrently.</remarks>
public interface IPrecompressionCache
{
    /// <summary>Looks up the variants made for a content.</summary>
    /// <param name="contentHash">The SHA-256 of the original content, lower-case hex.</param>
    /// <param name="settingsKey">The <see cref="Precompressor.SettingsKey"/> they were made with.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>
    /// <see langword="null"/> on a miss; otherwise the variants kept, which is empty when none passed the ratio rule.
    /// </returns>
    ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken);

    /// <summary>Stores the variants made for a content (empty when none passed the ratio rule).</summary>
    /// <param name="contentHash">The SHA-256 of the original content, lower-case hex.</param>
    /// <param name="settingsKey">The <see cref="Precompressor.SettingsKey"/> they were made with.</param>
    /// <param name="variants">The variants kept.</param>
    /// <param name="cancellationToken">Cancels the store.</param>
    ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken);
}
