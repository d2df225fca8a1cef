using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Internal;
using Amazon.S3.Model;
using Wharf.Storage.S3.Internal;
using Wharf.Storage.S3.Tests.Support;
using Wharf.Storage.Testing;
using ExecutionContext = Amazon.Runtime.Internal.ExecutionContext;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// The retry decision for a 400 without an error code (Ceph RGW's answer, under load, to a request it failed to read),
/// made by the SDK's retry policy of the clients <see cref="S3Storage.CreateClient(AmazonS3Config, AWSCredentials?)"/>
/// builds. The exceptions are the SDK's own, from real answers of a loopback server (the test proxy answering every
/// request itself): no S3 server is needed.
/// </summary>
[TestClass]
public sealed class S3BadRequestRetryPolicyTests
{
    // Never contacted: the proxy answers every connection itself.
    private static readonly Uri Unused = new("http://127.0.0.1:9");

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [DataRow(RequestRetryMode.Standard)]
    [DataRow(RequestRetryMode.Adaptive)]
    public async Task A_400_without_an_error_document_is_retried(RequestRetryMode mode)
    {
        AmazonS3Config config = Config(mode);
        RetryPolicy policy = BodilessBadRequestRetry.CreatePolicy(config);
        AmazonServiceException head = await CaptureAsync(client => client.GetObjectMetadataAsync("bucket", "key", Ct));
        AmazonServiceException list = await CaptureAsync(client => client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "bucket" }, Ct));
        TestContext.WriteLine($"the SDK's exception: {head.GetType().Name} {head.StatusCode} '{head.ErrorCode}': {head.Message}");

        Assert.IsTrue(await policy.RetryAsync(Context(config, new GetObjectMetadataRequest()), head), "a bodiless 400 to a HEAD is retried");
        Assert.IsTrue(await policy.RetryAsync(Context(config, new ListObjectsV2Request()), list), "a bodiless 400 to a listing is retried");
    }

    [TestMethod]
    public async Task The_SDK_policy_alone_does_not_retry_a_400_without_an_error_document()
    {
        AmazonS3Config config = Config(RequestRetryMode.Standard);
        AmazonServiceException list = await CaptureAsync(client => client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "bucket" }, Ct));

        Assert.IsFalse(await new AmazonS3StandardRetryPolicy(config).RetryAsync(Context(config, new ListObjectsV2Request()), list));
    }

    [TestMethod]
    [DataRow("InvalidArgument", RequestRetryMode.Standard)]
    [DataRow("InvalidBucketName", RequestRetryMode.Standard)]
    [DataRow("InvalidRequest", RequestRetryMode.Adaptive)]
    public async Task A_400_with_an_error_code_is_not_retried(string errorCode, RequestRetryMode mode)
    {
        AmazonS3Config config = Config(mode);
        AmazonServiceException coded = await CaptureAsync(client => client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "bucket" }, Ct), errorCode);
        Assert.AreEqual(errorCode, coded.ErrorCode, "the SDK read the code from the error document");

        Assert.IsFalse(await BodilessBadRequestRetry.CreatePolicy(config).RetryAsync(Context(config, new ListObjectsV2Request()), coded));
    }

    [TestMethod]
    [DataRow(HttpStatusCode.Forbidden, "AccessDenied", false)]
    [DataRow(HttpStatusCode.NotFound, "NoSuchKey", false)]
    [DataRow(HttpStatusCode.Conflict, "ConditionalRequestConflict", false)]
    [DataRow(HttpStatusCode.PreconditionFailed, "PreconditionFailed", false)]
    [DataRow(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", true)]
    public async Task Other_answers_keep_the_SDK_decision(HttpStatusCode status, string errorCode, bool retried)
    {
        AmazonS3Config config = Config(RequestRetryMode.Standard);
        var exception = new AmazonS3Exception("answer", ErrorType.Sender, errorCode, "request-id", status);

        bool sdk = await new AmazonS3StandardRetryPolicy(config).RetryAsync(Context(config, new GetObjectRequest()), exception);
        bool ours = await BodilessBadRequestRetry.CreatePolicy(config).RetryAsync(Context(config, new GetObjectRequest()), exception);

        Assert.AreEqual(retried, sdk);
        Assert.AreEqual(sdk, ours);
    }

    [TestMethod]
    public async Task A_request_whose_body_cannot_be_rewound_is_not_retried()
    {
        AmazonS3Config config = Config(RequestRetryMode.Standard);
        RetryPolicy policy = BodilessBadRequestRetry.CreatePolicy(config);
        AmazonServiceException put = await CaptureAsync(client => client.PutObjectAsync(new PutObjectRequest { BucketName = "bucket", Key = "key", ContentBody = "x" }, Ct));

        Assert.IsTrue(await policy.RetryAsync(Context(config, new PutObjectRequest(), new MemoryStream(new byte[8])), put), "a seekable body is rewound and sent again");
        Assert.IsFalse(await policy.RetryAsync(Context(config, new PutObjectRequest(), new NonSeekableStream(new MemoryStream(new byte[8]))), put), "a body read once cannot be sent again");
    }

    [TestMethod]
    public async Task The_SDK_retry_limit_applies()
    {
        AmazonS3Config config = Config(RequestRetryMode.Standard);
        config.MaxErrorRetry = 2;
        AmazonServiceException head = await CaptureAsync(client => client.GetObjectMetadataAsync("bucket", "key", Ct));
        ExecutionContext context = Context(config, new GetObjectMetadataRequest());
        context.RequestContext.Retries = 2;

        Assert.IsFalse(await BodilessBadRequestRetry.CreatePolicy(config).RetryAsync(context, head));
    }

    // Through the client: the policy is the one its pipeline runs.

    [TestMethod]
    public async Task The_client_retries_a_bodiless_400_up_to_MaxErrorRetry_then_throws_it()
    {
        await using var proxy = new TcpForwardingProxy(Unused);
        proxy.Start();
        proxy.AnswerBadRequest(connections: 100);
        AmazonS3Config config = Config(RequestRetryMode.Standard, proxy.Url);
        config.MaxErrorRetry = 2;
        using AmazonS3Client client = S3Storage.CreateClient(config, new BasicAWSCredentials("access", "secret"));

        AmazonS3Exception exception = await Assert.ThrowsAsync<AmazonS3Exception>(async () => await client.GetObjectMetadataAsync("bucket", "key", Ct));

        Assert.AreEqual(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.AreEqual(3, proxy.BadRequestsAnswered, "the first request and MaxErrorRetry (2) retries");
    }

    [TestMethod]
    public async Task The_client_does_not_retry_a_400_with_an_error_code()
    {
        await using var proxy = new TcpForwardingProxy(Unused);
        proxy.Start();
        proxy.AnswerBadRequest(connections: 100, "InvalidArgument");
        using AmazonS3Client client = S3Storage.CreateClient(Config(RequestRetryMode.Standard, proxy.Url), new BasicAWSCredentials("access", "secret"));

        AmazonS3Exception exception = await Assert.ThrowsAsync<AmazonS3Exception>(async () =>
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "bucket" }, Ct));

        Assert.AreEqual("InvalidArgument", exception.ErrorCode);
        Assert.AreEqual(1, proxy.BadRequestsAnswered);
    }

    [TestMethod]
    public async Task The_client_sends_a_body_it_cannot_rewind_once()
    {
        await using var proxy = new TcpForwardingProxy(Unused);
        proxy.Start();
        proxy.AnswerBadRequest(connections: 100);
        using AmazonS3Client client = S3Storage.CreateClient(Config(RequestRetryMode.Standard, proxy.Url), new BasicAWSCredentials("access", "secret"));
        var put = new PutObjectRequest { BucketName = "bucket", Key = "key", InputStream = new PatternStream(1024, seed: 1) };
        put.Headers.ContentLength = 1024;

        AmazonS3Exception exception = await Assert.ThrowsAsync<AmazonS3Exception>(async () => await client.PutObjectAsync(put, Ct));

        Assert.AreEqual(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.AreEqual(1, proxy.BadRequestsAnswered, "the SDK cannot rewind the body, so it does not send the request again");
    }

    private static AmazonS3Config Config(RequestRetryMode mode, string serviceUrl = "http://127.0.0.1:9") => new()
    {
        ServiceURL = serviceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RetryMode = mode,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };

    /// <summary>The exception the SDK makes of a 400 from a loopback server (a stock client, no retries).</summary>
    private async Task<AmazonServiceException> CaptureAsync(Func<AmazonS3Client, Task> call, string? errorCode = null)
    {
        await using var proxy = new TcpForwardingProxy(Unused);
        proxy.Start();
        proxy.AnswerBadRequest(connections: 1, errorCode);
        AmazonS3Config config = Config(RequestRetryMode.Standard, proxy.Url);
        config.MaxErrorRetry = 0;
        using var client = new AmazonS3Client(new BasicAWSCredentials("access", "secret"), config);
        return await Assert.ThrowsAsync<AmazonServiceException>(() => call(client));
    }

    /// <summary>The state the retry handler hands its policy: the request (with its body, if any) and the config.</summary>
    private static ExecutionContext Context(AmazonS3Config config, AmazonWebServiceRequest request, Stream? body = null)
    {
        var wire = new DefaultRequest(request, "S3") { Endpoint = new Uri(config.ServiceURL) };
        if (body is not null)
        {
            wire.ContentStream = body;
        }

        var requestContext = new RequestContext(false) { ClientConfig = config, OriginalRequest = request, Request = wire };
        return new ExecutionContext(requestContext, new ResponseContext());
    }
}
