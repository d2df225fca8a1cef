namespace Wharf.Storage;

/// <summary>
/// One storage, as its backend's start-up check sees it: the checks options alone cannot make, such as a service
/// the host must register. A backend passes its check to
/// <see cref="Microsoft.Extensions.DependencyInjection.WharfStorageBuilder.AddBackend{TOptions}(string, Func{IServiceProvider, string, TOptions, IStorage}, Action{StorageValidationContext, TOptions})"/>;
/// it runs after <see cref="StorageOptions.Validate"/>, wherever the storage's options are validated (at start-up, and
/// when the storage is first made), and its errors are reported with the options' own.
/// </summary>
/// <remarks>
/// Errors go to <see cref="Errors"/>, which names each by its full configuration key under <see cref="KeyPath"/>:
/// the storage's own section, wherever the host bound it from (<c>Wharf:Storages:media</c>, or
/// <c>App:Files:media</c> after <c>BindConfiguration(configuration.GetSection("App:Files"))</c>). A backend never
/// builds that path itself.
/// </remarks>
public sealed class StorageValidationContext
{
    /// <summary>Creates the context (the storage builder does; a backend's own tests may).</summary>
    /// <param name="storageName">The storage's name.</param>
    /// <param name="services">The host's services.</param>
    /// <param name="errors">Collects the errors, under the storage's configuration path.</param>
    public StorageValidationContext(string storageName, IServiceProvider services, StorageOptionsErrors errors)
    {
        ArgumentException.ThrowIfNullOrEmpty(storageName);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(errors);
        StorageName = storageName;
        Services = services;
        Errors = errors;
    }

    /// <summary>The storage's name.</summary>
    public string StorageName { get; }

    /// <summary>The storage's configuration path, such as <c>Wharf:Storages:media</c> (the same as <see cref="StorageOptionsErrors.KeyPrefix"/> of <see cref="Errors"/>).</summary>
    public string KeyPath => Errors.KeyPrefix;

    /// <summary>The host's services (the root provider), for services the storage will need.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Collects the errors; <see cref="StorageOptionsErrors.Add"/> prefixes each key with <see cref="KeyPath"/>.</summary>
    public StorageOptionsErrors Errors { get; }
}
