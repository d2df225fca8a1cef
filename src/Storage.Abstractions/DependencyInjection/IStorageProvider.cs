using System.Diagnostics.CodeAnalysis;

namespace Wharf.Storage;

/// <summary>Resolves named storages (<c>default</c>, <c>staticfiles</c>, …). Each is created once, on first use.</summary>
/// <remarks>The same storages are keyed services: <c>[FromKeyedServices("staticfiles")] IStorage</c>; unkeyed <see cref="IStorage"/> is <c>default</c>.</remarks>
public interface IStorageProvider
{
    /// <summary>The names of the configured storages.</summary>
    IReadOnlyCollection<string> StorageNames { get; }

    /// <summary>The storage with the name (compared without case).</summary>
    /// <exception cref="InvalidOperationException">No storage has the name; the message lists those that exist.</exception>
    IStorage GetStorage(string name);

    /// <summary>The storage with the name, if one is configured.</summary>
    bool TryGetStorage(string name, [NotNullWhen(true)] out IStorage? storage);
}

/// <summary>Well-known storage names.</summary>
public static class NamedStorages
{
    /// <summary>The storage for uploads and documents; unkeyed <see cref="IStorage"/> resolves to it.</summary>
    public const string Default = "default";

    /// <summary>The storage that collected static files are published to.</summary>
    public const string StaticFiles = "staticfiles";
}
