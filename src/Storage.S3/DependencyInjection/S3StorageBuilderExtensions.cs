using Amazon.S3;
using Microsoft.Extensions.Logging;
using Wharf.Storage.S3;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the S3 backend on the storage builder.</summary>
public static class S3StorageBuilderExtensions
{
    /// <summary>
    /// Registers the <c>S3</c> backend, so configured storages can use <c>Backend: S3</c>. Idempotent. A storage uses
    /// the host's <see cref="IAmazonS3"/> when one is registered (keyed by the storage's name, or unkeyed), and builds
    /// its own from its options otherwise.
    /// </summary>
    public static WharfStorageBuilder AddS3(this WharfStorageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackend<S3StorageOptions>(S3Storage.BackendId, static (services, name, options) =>
            new S3Storage(
                name,
                options,
                services.GetKeyedService<IAmazonS3>(name) ?? services.GetService<IAmazonS3>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<S3Storage>()));
    }

    /// <summary>Registers the backend and defines an S3 storage.</summary>
    public static WharfStorageBuilder AddS3(this WharfStorageBuilder builder, string name, Action<S3StorageOptions>? configure = null) =>
        builder.AddS3().AddStorage(name, S3Storage.BackendId, configure);
}
