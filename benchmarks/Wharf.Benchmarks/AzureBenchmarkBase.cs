using BenchmarkDotNet.Attributes;
using Wharf.Storage.AzureBlob;

namespace Wharf.Benchmarks;

/// <summary>
/// What the Azure benchmarks share: the object size, and per benchmark process one <see cref="HttpClient"/>
/// (<see cref="AzureBenchServer.CreateHttpClient"/>), a container of its own, the raw client and the Wharf storage on
/// that container, both sending through that one <see cref="HttpClient"/>.
/// </summary>
public abstract class AzureBenchmarkBase
{
    private HttpClient? _http;

    /// <summary>The object size in bytes: 4 KiB and 1 MiB.</summary>
    [Params(4 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    private protected AzureRawBlobClient Raw { get; private set; } = null!;

    private protected AzureBlobStorage Storage { get; private set; } = null!;

    /// <summary>Creates the client, the container (untimed) and the storage, whose blobs go under <paramref name="location"/>.</summary>
    private protected void SetUp(string? location)
    {
        _http = AzureBenchServer.CreateHttpClient();
        Raw = new AzureRawBlobClient(_http, AzureBenchServer.NewContainerName());
        Raw.CreateContainerAsync().GetAwaiter().GetResult();
        Storage = new AzureBlobStorage("bench", AzureBenchServer.Options(Raw.Container, _http, location));
    }

    /// <summary>Deletes the container with everything in it, then disposes the storage and the client.</summary>
    private protected void CleanUp()
    {
        if (_http is null)
        {
            return;
        }

        Raw.DeleteContainerAsync().GetAwaiter().GetResult();
        Storage.Dispose();
        _http.Dispose();
        _http = null;
    }
}
