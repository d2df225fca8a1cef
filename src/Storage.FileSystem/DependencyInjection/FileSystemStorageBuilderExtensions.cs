using Microsoft.Extensions.Logging;
using Wharf.Storage.FileSystem;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the file-system backend on the storage builder.</summary>
public static class FileSystemStorageBuilderExtensions
{
    /// <summary>Registers the <c>FileSystem</c> backend, so configured storages can use <c>Backend: FileSystem</c>. Idempotent.</summary>
    public static WharfStorageBuilder AddFileSystem(this WharfStorageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackend<FileSystemStorageOptions>(FileSystemStorage.BackendId, static (services, name, options) =>
            new FileSystemStorage(name, options, services.GetService<ILoggerFactory>()?.CreateLogger<FileSystemStorage>()));
    }

    /// <summary>Registers the backend and defines a file-system storage.</summary>
    /// <param name="builder">The storage builder.</param>
    /// <param name="name">The storage's name, such as <c>default</c>.</param>
    /// <param name="configure">Sets its options; <see cref="FileSystemStorageOptions.Root"/> is required (here or in configuration).</param>
    public static WharfStorageBuilder AddFileSystem(this WharfStorageBuilder builder, string name, Action<FileSystemStorageOptions>? configure = null) =>
        builder.AddFileSystem().AddStorage(name, FileSystemStorage.BackendId, configure);
}
