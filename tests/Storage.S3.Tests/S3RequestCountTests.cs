using System.Text;
using Wharf.Storage.S3.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// How many HTTP requests each operation sends, counted below the SDK (a <see cref="DelegatingHandler"/> in the
/// client's <see cref="HttpClient"/>): a save is one conditional PUT, never HEAD-then-PUT.
/// </summary>
[TestClass]
public sealed class S3RequestCountTests : S3TestBase
{
    private RecordingHttpClientFactory _factory = null!;
    private S3Storage _storage = null!;

    [TestInitialize]
    public void CreateCountingStorage()
    {
        S3StorageOptions options = Options();
        options.MultipartThreshold = 5 * 1024 * 1024;
        options.PartSize = 5 * 1024 * 1024;
        _storage = CreateIsolatedStorage("counted", options, out _factory);
    }

    [TestMethod]
    public async Task A_save_of_a_free_name_is_exactly_one_PUT()
    {
        string key = _storage.GetKey("free.txt");

        SaveResult saved = await _storage.SaveBytesAsync("free.txt", Encoding.UTF8.GetBytes("free"), cancellationToken: Ct);

        Assert.AreEqual("free.txt", saved.Name);
        CollectionAssert.AreEqual(new[] { $"PUT /{Bucket}/{key}" }, Requests());
    }

    [TestMethod]
    public async Task A_save_of_a_taken_name_is_two_PUTs()
    {
        await _storage.SaveBytesAsync("taken.txt", Encoding.UTF8.GetBytes("first"), cancellationToken: Ct);
        _factory.Clear();

        SaveResult saved = await _storage.SaveBytesAsync("taken.txt", Encoding.UTF8.GetBytes("second"), cancellationToken: Ct);

        Assert.AreNotEqual("taken.txt", saved.Name);
        CollectionAssert.AreEqual(
            new[] { $"PUT /{Bucket}/{_storage.GetKey("taken.txt")}", $"PUT /{Bucket}/{_storage.GetKey(saved.Name)}" },
            Requests());
    }

    [TestMethod]
    public async Task A_non_seekable_save_below_the_threshold_is_one_PUT()
    {
        SaveResult saved = await _storage.SaveAsync("stream.bin", new PatternStream(1024 * 1024, seed: 9), cancellationToken: Ct);

        Assert.AreEqual(1024 * 1024, saved.Length);
        CollectionAssert.AreEqual(new[] { $"PUT /{Bucket}/{_storage.GetKey("stream.bin")}" }, Requests());
    }

    [TestMethod]
    public async Task Reading_an_object_is_one_GET()
    {
        await _storage.SaveBytesAsync("read.txt", Encoding.UTF8.GetBytes("read me"), cancellationToken: Ct);
        _factory.Clear();

        Stream stream = await _storage.OpenReadAsync("read.txt", cancellationToken: Ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream);
            Assert.AreEqual("read me", await reader.ReadToEndAsync(Ct));
        }

        CollectionAssert.AreEqual(new[] { $"GET /{Bucket}/{_storage.GetKey("read.txt")}" }, Requests());
    }

    [TestMethod]
    public async Task Exists_and_info_are_one_HEAD_and_delete_is_a_HEAD_and_a_DELETE()
    {
        await _storage.SaveBytesAsync("x.txt", Encoding.UTF8.GetBytes("x"), cancellationToken: Ct);
        string path = $"/{Bucket}/{_storage.GetKey("x.txt")}";

        _factory.Clear();
        Assert.IsTrue(await _storage.ExistsAsync("x.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"HEAD {path}" }, Requests());

        _factory.Clear();
        await _storage.GetInfoAsync("x.txt", Ct);
        CollectionAssert.AreEqual(new[] { $"HEAD {path}" }, Requests());

        _factory.Clear();
        Assert.IsTrue(await _storage.DeleteAsync("x.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"HEAD {path}", $"DELETE {path}" }, Requests());
    }

    [TestMethod]
    public async Task A_multipart_save_of_a_free_name_is_a_reservation_PUT_then_the_upload()
    {
        SaveResult saved = await _storage.SaveAsync("big.bin", new PatternStream(12L * 1024 * 1024, seed: 12), cancellationToken: Ct);

        Assert.AreEqual("big.bin", saved.Name);
        string path = $"/{Bucket}/{_storage.GetKey("big.bin")}";
        string[] requests = Requests();
        TestContext.WriteLine(string.Join(Environment.NewLine, requests));
        Assert.HasCount(6, requests, string.Join(", ", requests));
        Assert.AreEqual($"PUT {path}", requests[0], "the zero-byte reservation comes first");
        Assert.AreEqual($"POST {path}?uploads", requests[1]);
        Assert.AreEqual(3, requests.Skip(2).Take(3).Count(r => r.StartsWith($"PUT {path}?", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.StartsWith($"POST {path}?uploadId=", requests[5]);
    }

    [TestMethod]
    public async Task A_multipart_save_of_a_taken_name_costs_one_refused_reservation_and_no_part()
    {
        await _storage.SaveBytesAsync("big.bin", Encoding.UTF8.GetBytes("first"), cancellationToken: Ct);
        _factory.Clear();

        SaveResult saved = await _storage.SaveAsync("big.bin", new PatternStream(6L * 1024 * 1024, seed: 13), cancellationToken: Ct);

        string[] requests = Requests();
        Assert.HasCount(6, requests, string.Join(", ", requests));
        Assert.AreEqual($"PUT /{Bucket}/{_storage.GetKey("big.bin")}", requests[0], "the refused reservation");
        Assert.IsTrue(requests.Skip(1).All(r => r.Contains(_storage.GetKey(saved.Name), StringComparison.Ordinal)), "everything else goes to the alternative");
    }

    private string[] Requests() => [.. _factory.Requests];
}
