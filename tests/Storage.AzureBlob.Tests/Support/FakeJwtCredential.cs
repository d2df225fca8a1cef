using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;

namespace Wharf.Storage.AzureBlob.Tests.Support;

/// <summary>
/// Makes JWTs shaped like Microsoft Entra ID access tokens for Azure Storage, with a dummy signature: Azurite's
/// <c>--oauth basic</c> (BlobTokenAuthenticator.authenticateBasic) decodes the token without verifying it and requires
/// <c>nbf</c>, <c>exp</c> and <c>iat</c> (now within nbf..exp), an <c>iss</c> starting with an Entra STS prefix
/// (<c>https://sts.windows.net/</c>…) and an <c>aud</c> of Azure Storage (<c>https://storage.azure.com</c>, its app id,
/// or <c>https://{account}.blob.core.windows.net</c>). Get User Delegation Key reads <c>oid</c> and <c>tid</c>.
/// </summary>
internal static class FakeJwt
{
    public const string StorageAudience = "https://storage.azure.com";

    public static string Create(string objectId, string tenantId, DateTimeOffset expiresOn, string audience = StorageAudience)
    {
        DateTimeOffset issuedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        string header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["kid"] = "wharf-test",
        }));
        string payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{tenantId}/",
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expiresOn.ToUnixTimeSeconds(),
            ["oid"] = objectId,
            ["tid"] = tenantId,
            ["sub"] = objectId,
            ["appid"] = "00000000-0000-0000-0000-00000000a11d",
            ["ver"] = "1.0",
        }));

        // Not a signature of anything: Azurite's basic mode does not check it.
        return $"{header}.{payload}.{Encode(RandomNumberGenerator.GetBytes(256))}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// A <see cref="TokenCredential"/> (as Azure.Identity's are) that hands out <see cref="FakeJwt"/> tokens for one
/// principal, counting how often it is asked and for which scopes, or throws what <see cref="Failure"/> makes.
/// </summary>
internal sealed class FakeJwtCredential : TokenCredential
{
    private readonly ConcurrentQueue<string[]> _scopes = new();
    private int _calls;

    public FakeJwtCredential(string? objectId = null, string? tenantId = null, string audience = FakeJwt.StorageAudience)
    {
        ObjectId = objectId ?? Guid.NewGuid().ToString();
        TenantId = tenantId ?? Guid.NewGuid().ToString();
        Audience = audience;
    }

    /// <summary>The principal's object id (the <c>oid</c> claim, which a user-delegation SAS repeats as <c>skoid</c>).</summary>
    public string ObjectId { get; }

    /// <summary>The tenant (the <c>tid</c> claim; <c>sktid</c> of a user-delegation SAS).</summary>
    public string TenantId { get; }

    public string Audience { get; }

    /// <summary>How long each token is valid.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>When set, every call throws what it returns instead of handing out a token.</summary>
    public Func<Exception>? Failure { get; init; }

    /// <summary>How many tokens were asked for.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The scopes of each call.</summary>
    public IReadOnlyList<string[]> Scopes => [.. _scopes];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _scopes.Enqueue(requestContext.Scopes);
        if (Failure is { } failure)
        {
            throw failure();
        }

        DateTimeOffset expiresOn = DateTimeOffset.UtcNow + Lifetime;
        return new AccessToken(FakeJwt.Create(ObjectId, TenantId, expiresOn, Audience), expiresOn);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"FakeJwtCredential(oid {ObjectId}, {Calls} calls)");
}

/// <summary>
/// Stands for Azure.Identity's <c>AuthenticationFailedException</c> (and <c>CredentialUnavailableException</c>, which
/// derives from it): a plain <see cref="Exception"/>, which is what a credential that cannot get a token throws.
/// </summary>
internal sealed class FakeJwtAuthenticationFailedException : Exception
{
    public FakeJwtAuthenticationFailedException()
        : this("ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.")
    {
    }

    public FakeJwtAuthenticationFailedException(string message)
        : base(message)
    {
    }

    public FakeJwtAuthenticationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
