using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wharf.Storage.FileSystem;
using Wharf.Storage.Tests.Support;

namespace Wharf.Storage.Tests;

[TestClass]
public sealed class DependencyInjectionTests
{
    private TempFolder _first = null!;
    private TempFolder _second = null!;

    [TestInitialize]
    public void Initialize()
    {
        _first = new TempFolder();
        _second = new TempFolder();
    }

    [TestCleanup]
    public void Cleanup()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [TestMethod]
    public async Task Configured_storages_resolve_unkeyed_keyed_and_by_name_as_singletons()
    {
        IConfiguration configuration = Configuration(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ("Wharf:Storages:staticfiles:Backend", "FileSystem"),
            ("Wharf:Storages:staticfiles:Root", _second.Path));
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddFileSystem();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IStorage unkeyed = provider.GetRequiredService<IStorage>();
        IStorage staticFiles = provider.GetRequiredKeyedService<IStorage>("staticfiles");
        IStorageProvider storages = provider.GetRequiredService<IStorageProvider>();

        Assert.AreEqual(NamedStorages.Default, unkeyed.Name);
        Assert.IsInstanceOfType<FileSystemStorage>(unkeyed);
        Assert.AreEqual(NamedStorages.StaticFiles, staticFiles.Name);
        Assert.AreNotSame(unkeyed, staticFiles);

        Assert.AreSame(unkeyed, provider.GetRequiredService<IStorage>());
        Assert.AreSame(unkeyed, provider.GetRequiredKeyedService<IStorage>("default"));
        Assert.AreSame(unkeyed, storages.GetStorage("default"));
        Assert.AreSame(unkeyed, storages.GetStorage("DEFAULT"));
        Assert.AreSame(staticFiles, provider.GetRequiredKeyedService<IStorage>("staticfiles"));
        Assert.AreSame(staticFiles, provider.GetRequiredKeyedService<IStorage>("StaticFiles"));
        Assert.AreSame(staticFiles, storages.GetStorage("STATICFILES"));
        Assert.AreSame(storages, provider.GetRequiredService<IStorageProvider>());
        Assert.IsTrue(storages.TryGetStorage("StaticFiles", out IStorage? found));
        Assert.AreSame(staticFiles, found);
        Assert.IsFalse(storages.TryGetStorage("nope", out IStorage? missing));
        Assert.IsNull(missing);
        CollectionAssert.AreEquivalent(new[] { "default", "staticfiles" }, storages.StorageNames.ToArray());

        // Each storage writes to its own configured root.
        await unkeyed.SaveTextAsync("a.txt", "default");
        await staticFiles.SaveTextAsync("b.txt", "static");
        CollectionAssert.AreEqual(new[] { "a.txt" }, _first.Files());
        CollectionAssert.AreEqual(new[] { "b.txt" }, _second.Files());
    }

    [TestMethod]
    public async Task Storages_are_disposed_once_with_the_container()
    {
        var services = new ServiceCollection();
        services.AddWharfStorage()
            .AddBackend<StorageOptions>("AlwaysTaken", (_, name, options) => new AlwaysTakenStorage(name, options))
            .AddStorage<StorageOptions>("default", "AlwaysTaken");
        AlwaysTakenStorage storage;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            storage = (AlwaysTakenStorage)provider.GetRequiredService<IStorage>();
            Assert.AreSame(storage, provider.GetRequiredKeyedService<IStorage>("default"));
            Assert.AreEqual(0, storage.Disposals);
        }

        Assert.AreEqual(1, storage.Disposals);
    }

    [TestMethod]
    public async Task A_storage_defined_in_code_resolves()
    {
        var services = new ServiceCollection();
        services.AddWharfStorage().AddFileSystem("uploads", o => o.Root = _first.Path);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        IStorage uploads = provider.GetRequiredKeyedService<IStorage>("uploads");
        await uploads.SaveTextAsync("docs/a.txt", "hello");

        Assert.AreEqual("uploads", uploads.Name);
        Assert.IsInstanceOfType<FileSystemStorage>(uploads);
        Assert.AreSame(uploads, provider.GetRequiredService<IStorageProvider>().GetStorage("Uploads"));
        CollectionAssert.AreEqual(new[] { "docs/a.txt" }, _first.Files());
    }

    [TestMethod]
    public async Task Configuration_applies_to_a_storage_defined_in_code()
    {
        IConfiguration configuration = Configuration(("Wharf:Storages:uploads:PublicBaseUrl", "/uploads/"));
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddFileSystem("uploads", o => o.Root = _first.Path);
        await using ServiceProvider provider = services.BuildServiceProvider();

        IStorage uploads = provider.GetRequiredKeyedService<IStorage>("uploads");

        Assert.IsTrue(uploads.TryGetPublicUrl("a b.txt", out Uri? url));
        Assert.AreEqual("/uploads/a%20b.txt", url.OriginalString);
    }

    [TestMethod]
    public async Task Backend_names_in_configuration_are_compared_without_case()
    {
        IConfiguration configuration = Configuration(
            ("Wharf:Storages:default:Backend", "filesystem"),
            ("Wharf:Storages:default:Root", _first.Path));
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddFileSystem();
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsInstanceOfType<FileSystemStorage>(provider.GetRequiredService<IStorage>());
    }

    [TestMethod]
    public async Task An_unknown_storage_name_lists_the_configured_storages()
    {
        IConfiguration configuration = Configuration(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ("Wharf:Storages:staticfiles:Backend", "FileSystem"),
            ("Wharf:Storages:staticfiles:Root", _second.Path));
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddFileSystem();
        await using ServiceProvider provider = services.BuildServiceProvider();
        IStorageProvider storages = provider.GetRequiredService<IStorageProvider>();

        InvalidOperationException exception = Assert.ThrowsExactly<InvalidOperationException>(() => storages.GetStorage("media"));

        Assert.Contains("'media'", exception.Message);
        Assert.Contains("default", exception.Message);
        Assert.Contains("staticfiles", exception.Message);

        InvalidOperationException keyed = Assert.ThrowsExactly<InvalidOperationException>(() => provider.GetRequiredKeyedService<IStorage>("media"));
        Assert.Contains("'media'", keyed.Message);
    }

    [TestMethod]
    public async Task Unkeyed_storage_without_a_default_names_the_missing_storage()
    {
        var services = new ServiceCollection();
        services.AddWharfStorage().AddFileSystem("uploads", o => o.Root = _first.Path);
        await using ServiceProvider provider = services.BuildServiceProvider();

        InvalidOperationException exception = Assert.ThrowsExactly<InvalidOperationException>(() => provider.GetRequiredService<IStorage>());

        Assert.Contains("'default'", exception.Message);
        Assert.Contains("uploads", exception.Message);
    }

    [TestMethod]
    public void Registering_a_different_backend_under_a_taken_name_fails()
    {
        var services = new ServiceCollection();
        WharfStorageBuilder builder = services.AddWharfStorage().AddFileSystem();

        builder.AddFileSystem(); // idempotent
        Assert.ThrowsExactly<InvalidOperationException>(
            () => builder.AddBackend<CustomOptions>("FileSystem", (_, name, o) => new FileSystemStorage(name, new FileSystemStorageOptions { Root = o.Folder })));
    }

    [TestMethod]
    public async Task A_valid_configuration_starts_and_stops_a_host()
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ("Wharf:Storages:default:MaxNameAttempts", "10"));

        await host.StartAsync();
        IStorage storage = host.Services.GetRequiredService<IStorage>();
        SaveResult result = await storage.SaveTextAsync("a.txt", "x");
        await host.StopAsync();

        Assert.AreEqual("default", storage.Name);
        Assert.AreEqual("a.txt", result.Name);
        CollectionAssert.AreEqual(new[] { "a.txt" }, _first.Files());
    }

    [TestMethod]
    [OSCondition(ConditionMode.Exclude, OperatingSystems.Windows)]
    public async Task A_configured_file_mode_is_applied()
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ("Wharf:Storages:default:FileMode", "0640"));

        await host.StartAsync();
        await host.Services.GetRequiredService<IStorage>().SaveTextAsync("a.txt", "x");
        await host.StopAsync();

        if (!OperatingSystem.IsWindows())
        {
            Assert.AreEqual(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                File.GetUnixFileMode(Path.Combine(_first.Path, "a.txt")));
        }
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_missing_root()
    {
        using IHost host = BuildHost(("Wharf:Storages:default:Backend", "FileSystem"));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Wharf:Storages:default:Root", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_an_unknown_backend()
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "S4"),
            ("Wharf:Storages:default:Root", _first.Path));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Wharf:Storages:default:Backend", exception.Message);
        Assert.Contains("'S4'", exception.Message);
        Assert.Contains("FileSystem", exception.Message, "the message should list the registered backends");
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_storage_without_a_backend()
    {
        using IHost host = BuildHost(("Wharf:Storages:default:Root", _first.Path));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Wharf:Storages:default:Backend", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_misspelt_key()
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Roott", _first.Path));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Roott", exception.Message);
        Assert.Contains("Wharf:Storages:default", exception.Message);
    }

    [TestMethod]
    [DataRow("Overwirte", "true", "Overwirte", null, DisplayName = "a misspelt key next to a correct one")]
    [DataRow("FileMode", "999", "Wharf:Storages:default:FileMode", "'999'", DisplayName = "a bad file mode")]
    [DataRow("Overwrite", "maybe", "Wharf:Storages:default:Overwrite", null, DisplayName = "a value of the wrong type")]
    public async Task Start_up_fails_for_one_bad_setting_among_good_ones(string key, string value, string expected, string? alsoExpected)
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ($"Wharf:Storages:default:{key}", value));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, exception.Message);
        if (alsoExpected is not null)
        {
            Assert.Contains(alsoExpected, exception.Message);
        }
    }

    [TestMethod]
    public async Task Start_up_reports_every_problem_together()
    {
        using IHost host = BuildHost(
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:FileMode", "999"),
            ("Wharf:Storages:default:MaxNameAttempts", "0"),
            ("Wharf:Storages:staticfiles:Backend", "S4"),
            ("Wharf:Storages:media:Root", _first.Path),
            ("Wharf:Storages:uploads:Backend", "FileSystem"),
            ("Wharf:Storages:uploads:Root", _second.Path));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        string[] expectedKeys =
        [
            "Wharf:Storages:default:Root",
            "Wharf:Storages:default:FileMode",
            "Wharf:Storages:default:MaxNameAttempts",
            "Wharf:Storages:staticfiles:Backend",
            "Wharf:Storages:media:Backend",
        ];
        foreach (string key in expectedKeys)
        {
            Assert.Contains(key, exception.Message);
        }

        Assert.HasCount(expectedKeys.Length, exception.Failures, string.Join(Environment.NewLine, exception.Failures));
        Assert.DoesNotContain("uploads", exception.Message, "a valid storage is not reported");
    }

    [TestMethod]
    public async Task Errors_name_the_keys_of_a_custom_configuration_section()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("App:Files:media:Backend", "FileSystem")]);
        builder.Services.AddWharfStorage().AddFileSystem().BindConfiguration(builder.Configuration.GetSection("App:Files"));
        using IHost host = builder.Build();

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("App:Files:media:Root", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_validates_storages_defined_in_code()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWharfStorage(builder.Configuration).AddFileSystem("uploads", o => o.DirectoryMode = "0x755");
        using IHost host = builder.Build();

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Wharf:Storages:uploads:Root", exception.Message);
        Assert.Contains("Wharf:Storages:uploads:DirectoryMode", exception.Message);
    }

    [TestMethod]
    public async Task A_third_party_backend_is_resolved_from_configuration_with_its_own_options()
    {
        var created = new List<(string Name, CustomOptions Options)>();
        using IHost host = BuildHost(
            builder => builder.AddBackend<CustomOptions>("Custom", (services, name, options) =>
            {
                lock (created)
                {
                    created.Add((name, options));
                }

                return new FileSystemStorage(name, new FileSystemStorageOptions { Root = options.Folder, PublicBaseUrl = options.PublicBaseUrl });
            }),
            ("Wharf:Storages:default:Backend", "FileSystem"),
            ("Wharf:Storages:default:Root", _first.Path),
            ("Wharf:Storages:archive:Backend", "Custom"),
            ("Wharf:Storages:archive:Folder", _second.Path),
            ("Wharf:Storages:archive:Greeting", "hello"),
            ("Wharf:Storages:archive:PublicBaseUrl", "/archive/"),
            ("Wharf:Storages:archive:MaxNameAttempts", "7"));

        await host.StartAsync();
        IStorage archive = host.Services.GetRequiredKeyedService<IStorage>("archive");
        IStorage again = host.Services.GetRequiredService<IStorageProvider>().GetStorage("ARCHIVE");
        await archive.SaveTextAsync("a.txt", "x");
        await host.StopAsync();

        Assert.AreSame(archive, again);
        Assert.AreEqual("archive", archive.Name);
        Assert.HasCount(1, created);
        Assert.AreEqual("archive", created[0].Name);
        Assert.AreEqual("Custom", created[0].Options.Backend);
        Assert.AreEqual(_second.Path, created[0].Options.Folder);
        Assert.AreEqual("hello", created[0].Options.Greeting);
        Assert.AreEqual("/archive/", created[0].Options.PublicBaseUrl);
        Assert.AreEqual(7, created[0].Options.MaxNameAttempts);
        CollectionAssert.AreEqual(new[] { "a.txt" }, _second.Files());
        Assert.IsInstanceOfType<FileSystemStorage>(host.Services.GetRequiredService<IStorage>());
    }

    [TestMethod]
    public async Task A_third_party_backend_is_validated_at_start_up_with_its_own_keys()
    {
        using IHost host = BuildHost(
            builder => builder.AddBackend<CustomOptions>("Custom", (_, name, options) => new FileSystemStorage(name, new FileSystemStorageOptions { Root = options.Folder })),
            ("Wharf:Storages:archive:Backend", "Custom"),
            ("Wharf:Storages:archive:Greetin", "typo"),
            ("Wharf:Storages:other:Backend", "Custom"),
            ("Wharf:Storages:other:Greeting", "hi"));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Greetin", exception.Message);
        Assert.Contains("Wharf:Storages:other:Folder", exception.Message);
    }

    [TestMethod]
    public async Task A_backend_check_gets_the_storage_s_real_configuration_path_and_the_host_s_services()
    {
        var seen = new List<(string Name, string KeyPath, object? Service)>();
        var marker = new object();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(
        [
            new KeyValuePair<string, string?>("App:Files:archive:Backend", "Custom"),
            new KeyValuePair<string, string?>("App:Files:archive:Folder", _first.Path),
            new KeyValuePair<string, string?>("App:Files:media:Backend", "FileSystem"),
            new KeyValuePair<string, string?>("App:Files:media:Root", _second.Path),
        ]);
        builder.Services.AddKeyedSingleton("archive", marker);
        builder.Services.AddWharfStorage()
            .AddFileSystem()
            .AddBackend<CustomOptions>(
                "Custom",
                (_, name, options) => new FileSystemStorage(name, new FileSystemStorageOptions { Root = options.Folder }),
                (context, options) =>
                {
                    lock (seen)
                    {
                        seen.Add((context.StorageName, context.KeyPath, context.Services.GetKeyedService<object>(context.StorageName)));
                    }

                    context.Errors.Add(nameof(CustomOptions.Greeting), "is required by the backend's own check.");
                })
            .BindConfiguration(builder.Configuration.GetSection("App:Files"));
        using IHost host = builder.Build();

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("App:Files:archive:Greeting: is required by the backend's own check.", exception.Message);
        Assert.DoesNotContain("Wharf:Storages", exception.Message);
        Assert.IsNotEmpty(seen, "the check ran");
        Assert.IsTrue(seen.All(s => s is ("archive", "App:Files:archive", _)), "only the storage of that backend is checked, under its own path");
        Assert.AreSame(marker, seen[0].Service, "the check resolves the host's services");
        Assert.HasCount(1, exception.Failures, string.Join(Environment.NewLine, exception.Failures));
    }

    [TestMethod]
    public async Task A_backend_check_s_errors_are_reported_with_the_options_own_at_start_up()
    {
        using IHost host = BuildHost(
            builder => builder.AddBackend<CustomOptions>(
                "Custom",
                (_, name, options) => new FileSystemStorage(name, new FileSystemStorageOptions { Root = options.Folder }),
                (context, options) =>
                {
                    if (options.Greeting is null)
                    {
                        context.Errors.Add(nameof(CustomOptions.Greeting), "say hello.");
                    }
                }),
            ("Wharf:Storages:archive:Backend", "Custom"),
            ("Wharf:Storages:archive:MaxNameAttempts", "0"));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Wharf:Storages:archive:Folder: is required.", exception.Message);
        Assert.Contains("Wharf:Storages:archive:MaxNameAttempts", exception.Message);
        Assert.Contains("Wharf:Storages:archive:Greeting: say hello.", exception.Message);
    }

    [TestMethod]
    public void A_backend_check_runs_when_the_storage_is_made_without_start_up_validation()
    {
        var services = new ServiceCollection();
        services.AddWharfStorage()
            .AddBackend<CustomOptions>(
                "Custom",
                (_, name, options) => new FileSystemStorage(name, new FileSystemStorageOptions { Root = options.Folder }),
                (context, _) => context.Errors.Add("Token", "no token service is registered."))
            .AddStorage<CustomOptions>("archive", "Custom", o => o.Folder = _first.Path);
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException exception = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredKeyedService<IStorage>("archive"));

        Assert.Contains("Wharf:Storages:archive:Token: no token service is registered.", exception.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    private static IHost BuildHost(params (string Key, string Value)[] values) => BuildHost(null, values);

    private static IHost BuildHost(Action<WharfStorageBuilder>? configure, params (string Key, string Value)[] values)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        WharfStorageBuilder storage = builder.Services.AddWharfStorage(builder.Configuration).AddFileSystem();
        configure?.Invoke(storage);
        return builder.Build();
    }

    /// <summary>A third-party backend's options, with its own keys and rules.</summary>
    public sealed class CustomOptions : StorageOptions
    {
        public string? Folder { get; set; }

        public string? Greeting { get; set; }

        public override void Validate(StorageOptionsErrors errors)
        {
            base.Validate(errors);
            if (string.IsNullOrWhiteSpace(Folder))
            {
                errors.Add(nameof(Folder), "is required.");
            }
        }
    }
}
