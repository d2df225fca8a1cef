using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Internal;

namespace Wharf.Storage.S3.Internal;

/// <summary>
/// Teaches the SDK's own retry machinery that a 400 without an error code is transient. Ceph RGW under load now and
/// then answers a request it failed to read with a bare 400 (no error document); every 400 that S3 means carries an
/// error code (<c>InvalidArgument</c>, <c>InvalidBucketName</c>…). The SDK retries neither, so without this one such
/// answer fails a save, a read, a listing.
/// </summary>
/// <remarks>
/// <para>
/// The decision sits in the retry policy, not around call sites, so that every operation (HEAD, List, the multipart
/// calls, Copy, Delete…) is covered and the SDK's budget applies: <see cref="ClientConfig.MaxErrorRetry"/>, its
/// jittered exponential back-off, its retry-capacity token bucket (<see cref="ClientConfig.ThrottleRetries"/>), and its
/// rule that a request whose body cannot be rewound is never sent again (<see cref="StandardRetryPolicy.CanRetry"/>
/// asks <c>IRequest.IsRequestStreamRewindable</c>; the retry handler seeks the body back to where it started).
/// </para>
/// <para>
/// The policies extend the S3 ones the SDK itself installs (<see cref="AmazonS3StandardRetryPolicy"/>,
/// <see cref="AmazonS3AdaptiveRetryPolicy"/>), so their S3 rules (errors inside a 200, region redirects) still apply;
/// the only change is one more transient error.
/// </para>
/// <para>
/// A HEAD's answer never has a body, so a 400 to a HEAD never shows its code and is retried as well: a genuine one
/// fails the same way after the retries, only later.
/// </para>
/// </remarks>
internal static class BodilessBadRequestRetry
{
    /// <summary>
    /// A 400 the SDK had to describe itself because the answer had no error document: its code is then the status
    /// name (<c>BadRequest</c>), or none.
    /// </summary>
    public static bool IsBodilessBadRequest(Exception exception) =>
        exception is AmazonServiceException { StatusCode: HttpStatusCode.BadRequest } service
        && (string.IsNullOrEmpty(service.ErrorCode) || service.ErrorCode == nameof(HttpStatusCode.BadRequest));

    /// <summary>The policy for <paramref name="config"/>'s retry mode, as the SDK would pick it, plus the bodiless 400.</summary>
    public static RetryPolicy CreatePolicy(IClientConfig config) => config.RetryMode == RequestRetryMode.Adaptive
        ? new AdaptivePolicy(config)
        : new StandardPolicy(config);

    private sealed class StandardPolicy(IClientConfig config) : AmazonS3StandardRetryPolicy(config)
    {
        public override bool IsTransientError(IExecutionContext executionContext, Exception exception) =>
            base.IsTransientError(executionContext, exception) || IsBodilessBadRequest(exception);
    }

    private sealed class AdaptivePolicy(IClientConfig config) : AmazonS3AdaptiveRetryPolicy(config)
    {
        public override bool IsTransientError(IExecutionContext executionContext, Exception exception) =>
            base.IsTransientError(executionContext, exception) || IsBodilessBadRequest(exception);
    }
}

/// <summary>
/// An <see cref="AmazonS3Client"/> whose retry handler uses <see cref="BodilessBadRequestRetry"/>'s policy. The SDK
/// offers no config setting for a retry policy; <see cref="AmazonS3Client.CustomizeRuntimePipeline"/> is where the
/// client itself installs its S3 policy, so that is where this one replaces it (per client, never process-wide as
/// the SDK's global pipeline-customizer registry would).
/// </summary>
internal sealed class BodilessBadRequestRetryingS3Client : AmazonS3Client
{
    public BodilessBadRequestRetryingS3Client(AWSCredentials credentials, AmazonS3Config config)
        : base(credentials, config)
    {
    }

    public BodilessBadRequestRetryingS3Client(AmazonS3Config config)
        : base(config)
    {
    }

    /// <summary>Called by the base constructor once the config is set; replaces the SDK's retry handler.</summary>
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(BodilessBadRequestRetry.CreatePolicy(Config)));
    }
}
