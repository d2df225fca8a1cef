using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;

namespace Wharf.PackageConsumption.Tests;

/// <summary>What `dotnet pack Packages.sln -c Release` put in artifacts/packages, and that these tests consume exactly that.</summary>
[TestClass]
public sealed class PackageMetadataTests
{
    private const string Version = "0.1.0-preview";
    private const string Authors = "Wharf contributors";
    private const string RepositoryUrl = "https://github.com/wharf-dotnet/wharf.git";

    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string PackagesFolder = Path.Join(RepoRoot, "artifacts", "packages");
    private static readonly string ConsumerPackagesFolder = Path.Join(RepoRoot, "artifacts", "consumer-packages");

    [TestMethod]
    [DataRow("Wharf.Storage.Abstractions", "")]
    [DataRow("Wharf.Storage.FileSystem", "Wharf.Storage.Abstractions")]
    [DataRow("Wharf.Storage.Testing", "Wharf.Storage.Abstractions MSTest.TestFramework")]
    public void Package_has_complete_metadata(string id, string dependsOn)
    {
        string path = PackagePath(id, "nupkg");
        Assert.IsTrue(File.Exists(path), $"{path} is missing; run eng/test-packages.sh, which packs first.");
        using ZipArchive package = ZipFile.OpenRead(path);
        XElement metadata = ReadMetadata(package, id);

        Assert.AreEqual(id, Value(metadata, "id"));
        Assert.AreEqual(Version, Value(metadata, "version"));
        Assert.AreEqual(Authors, Value(metadata, "authors"));
        string description = Value(metadata, "description");
        Assert.IsGreaterThan(40, description.Length, $"{id}: the description is too thin: '{description}'.");
        Assert.AreNotEqual("Package Description", description, $"{id}: the description is the SDK's default.");

        XElement license = Element(metadata, "license");
        Assert.AreEqual("expression", (string?)license.Attribute("type"));
        Assert.AreEqual("MIT", license.Value);

        Assert.AreEqual("README.md", Value(metadata, "readme"));
        ZipArchiveEntry? readme = package.GetEntry("README.md");
        Assert.IsNotNull(readme, $"{id}: the nuspec names README.md but the package does not contain it.");
        Assert.IsGreaterThan(0, readme.Length);

        XElement repository = Element(metadata, "repository");
        Assert.AreEqual("git", (string?)repository.Attribute("type"));
        Assert.AreEqual(RepositoryUrl, (string?)repository.Attribute("url"));

        Assert.IsNotNull(package.GetEntry($"lib/net10.0/{id}.dll"), $"{id}: no lib/net10.0 assembly.");
        Assert.IsNotNull(package.GetEntry($"lib/net10.0/{id}.xml"), $"{id}: no XML documentation.");

        string[] dependencies = Element(metadata, "dependencies").Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).ToArray();
        foreach (string dependency in dependsOn.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(dependency, dependencies, $"{id} must depend on {dependency}.");
        }

        string symbols = PackagePath(id, "snupkg");
        Assert.IsTrue(File.Exists(symbols), $"{symbols} is missing.");
        using ZipArchive symbolPackage = ZipFile.OpenRead(symbols);
        Assert.IsNotNull(symbolPackage.GetEntry($"lib/net10.0/{id}.pdb"), $"{id}: the symbol package has no PDB.");
    }

    [TestMethod]
    public void Every_packed_Wharf_package_has_a_readme_license_and_symbols()
    {
        string[] packages = Directory.GetFiles(PackagesFolder, $"Wharf.*.{Version}.nupkg");
        Assert.IsGreaterThanOrEqualTo(5, packages.Length, "Expected at least the Abstractions, FileSystem, S3, AzureBlob and Testing packages.");
        foreach (string path in packages)
        {
            string id = Path.GetFileName(path)[..^$".{Version}.nupkg".Length];
            using ZipArchive package = ZipFile.OpenRead(path);
            XElement metadata = ReadMetadata(package, id);
            Assert.AreEqual("MIT", Value(metadata, "license"), id);
            Assert.AreEqual("README.md", Value(metadata, "readme"), id);
            Assert.IsNotNull(package.GetEntry("README.md"), id);
            Assert.IsTrue(File.Exists(PackagePath(id, "snupkg")), $"{id}: no symbol package.");
        }
    }

    /// <summary>The tests ran against the freshly packed bits: restored from artifacts/packages, not a cache or another source.</summary>
    [TestMethod]
    [DataRow("Wharf.Storage.Abstractions")]
    [DataRow("Wharf.Storage.FileSystem")]
    [DataRow("Wharf.Storage.Testing")]
    public void The_tests_consume_the_packed_package(string id)
    {
        string packed = PackagePath(id, "nupkg");
        string restoreMetadata = Path.Join(ConsumerPackagesFolder, id.ToLowerInvariant(), Version, ".nupkg.metadata");
        Assert.IsTrue(File.Exists(restoreMetadata), $"{restoreMetadata} is missing: the package was not restored into the private folder.");
        using (JsonDocument restored = JsonDocument.Parse(File.ReadAllText(restoreMetadata)))
        {
            Assert.AreEqual(
                Path.GetFullPath(PackagesFolder).TrimEnd('/'),
                Path.GetFullPath(restored.RootElement.GetProperty("source").GetString()!).TrimEnd('/'),
                $"{id} was restored from another source.");
            Assert.AreEqual(
                Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(packed))),
                restored.RootElement.GetProperty("contentHash").GetString(),
                $"{id}: the restored package is not the one in artifacts/packages.");
        }

        using ZipArchive package = ZipFile.OpenRead(packed);
        using var packedAssembly = new MemoryStream();
        using (Stream entry = package.GetEntry($"lib/net10.0/{id}.dll")!.Open())
        {
            entry.CopyTo(packedAssembly);
        }

        CollectionAssert.AreEqual(packedAssembly.ToArray(), File.ReadAllBytes(Path.Join(AppContext.BaseDirectory, id + ".dll")),
            $"The {id}.dll these tests load is not the packed one.");
    }

    private static string PackagePath(string id, string extension) => Path.Join(PackagesFolder, $"{id}.{Version}.{extension}");

    private static XElement ReadMetadata(ZipArchive package, string id)
    {
        ZipArchiveEntry nuspec = package.GetEntry(id + ".nuspec") ?? throw new AssertFailedException($"{id}: no {id}.nuspec in the package.");
        using Stream stream = nuspec.Open();
        return Element(XDocument.Load(stream).Root!, "metadata");
    }

    // The nuspec's XML namespace varies with the schema version; match local names.
    private static XElement Element(XElement parent, string name) =>
        parent.Elements().SingleOrDefault(e => e.Name.LocalName == name) ?? throw new AssertFailedException($"The nuspec has no <{name}>.");

    private static string Value(XElement parent, string name) => Element(parent, name).Value.Trim();

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "Packages.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Packages.sln above {AppContext.BaseDirectory}.");
    }
}
