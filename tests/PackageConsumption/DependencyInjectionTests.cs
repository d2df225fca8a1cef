using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.PackageConsumption.Tests;

/// <summary>Named storages from configuration, served by the packaged backend and by a third-party one.</summary>
[TestClass]
public sealed class DependencyInjectionTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Configured_storages_of_a_packaged_and_a_third_party_backend_resolve_and_round_trip()
    {
        string root = TempFolders.Create();
        try
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Wharf:Storages:default:Backend"] = "FileSystem",
                    ["Wharf:Storages:default:Root"] = root,
                    ["Wharf:Storages:cache:Backend"] = InMemoryStorage.BackendId,
                })
                .Build();
            var services = new ServiceCollection();
            services.AddWharfStorage(configuration)
                .AddFileSystem()
                .AddBackend<InMemoryStorageOptions>(InMemoryStorage.BackendId, (_, name, options) => new InMemoryStorage(name, options));

            await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            IStorage media = provider.GetRequiredService<IStorage>();
            IStorage cache = provider.GetRequiredKeyedService<IStorage>("cache");

            Assert.IsInstanceOfType<FileSystemStorage>(media);
            Assert.AreEqual("default", media.Name);
            Assert.IsInstanceOfType<InMemoryStorage>(cache);
            Assert.AreEqual("cache", cache.Name);
            Assert.AreSame(cache, provider.GetRequiredKeyedService<IStorage>("cache"), "A named storage is a singleton.");

            foreach (IStorage storage in new[] { media, cache })
            {
                SaveResult saved = await storage.SaveTextAsync("docs/hello.txt", "hello from " + storage.Name, cancellationToken: TestContext.CancellationToken);
                Assert.AreEqual("docs/hello.txt", saved.Name);
                Assert.AreEqual("hello from " + storage.Name, await storage.ReadAllTextAsync(saved.Name, cancellationToken: TestContext.CancellationToken));
            }

            Assert.IsTrue(File.Exists(Path.Join(root, "docs", "hello.txt")), "The default storage writes below its configured root.");
        }
        finally
        {
            TempFolders.Delete(root);
        }
    }
}
