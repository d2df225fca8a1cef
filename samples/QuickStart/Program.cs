// The Wharf quick start: named storages from configuration, uploads saved under safe, race-free names, and the
// typed errors a hostile name gets. Run it from the repository root: eng/sample.sh
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wharf.Storage;

// appsettings.json sits beside the program; relative storage roots resolve against the current directory.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddWharfStorage(builder.Configuration).AddFileSystem();
using IHost host = builder.Build();
await host.StartAsync(); // validates every configured storage, naming any bad key

IStorage media = host.Services.GetRequiredService<IStorage>();                              // "default"
IStorage statics = host.Services.GetRequiredKeyedService<IStorage>(NamedStorages.StaticFiles);
Console.WriteLine($"Storages: {string.Join(", ", host.Services.GetRequiredService<IStorageProvider>().StorageNames)}");

// An upload as a browser sends it: a client path and an unfriendly file name.
var names = new UploadNameGenerator("documents/{yyyy}/{MM}/");
string clientFileName = @"C:\fakepath\john's portrait in 2004.txt";
SaveResult first = await SaveUploadAsync(media, names, clientFileName, "the first upload");

// Eight users upload the same file name at the same moment: each gets its own object, none is overwritten.
SaveResult[] concurrent = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => SaveUploadAsync(media, names, clientFileName, $"concurrent upload {i}")));
Console.WriteLine($"Saved '{first.Name}' and {concurrent.Length} concurrent uploads of the same name:");
foreach (SaveResult saved in concurrent)
{
    Console.WriteLine($"  {saved.Name,-60} {await media.ReadAllTextAsync(saved.Name)}");
}

StorageObjectInfo info = await media.GetInfoAsync(first.Name);
Console.WriteLine($"Info: {info.Length} bytes, {info.ContentType}, ETag {info.ETag}, URL {media.GetPublicUrl(first.Name)}");

// Publish a file to the static-files storage, replacing it in place (atomically) on every run.
await statics.SaveTextAsync("css/site.css", "body { margin: 0 }", new SaveOptions { Overwrite = true, CacheControl = "public, max-age=60" });
Console.WriteLine($"Static file: {statics.GetPublicUrl("css/site.css")}");

try
{
    await media.SaveTextAsync("../../etc/passwd", "attack");
}
catch (InvalidObjectNameException error)
{
    Console.WriteLine($"Rejected: {error.Message}");
}

int count = 0;
await foreach (StorageEntry entry in media.ListAsync("documents/", new ListOptions { Recursive = true }))
{
    count++;
}

Console.WriteLine($"The media storage holds {count} documents at {media.GetLocalPath("documents")}.");
await host.StopAsync();

static async Task<SaveResult> SaveUploadAsync(IStorage storage, UploadNameGenerator names, string clientFileName, string text)
{
    using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
    return await storage.SaveUploadAsync(names, clientFileName, content);
}
