using Azure.Core;

namespace Wharf.Storage.AzureBlob.Internal;

/// <summary>
/// Wraps the host's credential so a failure to get a token (Azure.Identity's AuthenticationFailedException,
/// CredentialUnavailableException, …) is recognisable without a reference to Azure.Identity, and reported as access
/// denied rather than as an unreachable service.
/// </summary>
internal sealed class GuardedTokenCredential(TokenCredential inner) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return inner.GetToken(requestContext, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new TokenAcquisitionException(exception);
        }
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new TokenAcquisitionException(exception);
        }
    }
}

/// <summary>The token credential could not produce a token.</summary>
internal sealed class TokenAcquisitionException(Exception inner)
    : Exception($"the token credential ({inner.GetType().Name}) could not get a token for Azure Storage: {inner.Message}", inner);
