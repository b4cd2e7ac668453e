using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Sheets;

/// <summary>
/// Access tokens for WinBack's service account from Google.Apis.Auth: a JWT signed with the account's key, exchanged at
/// the configured token URL (the JWT-bearer grant), cached and refreshed by the library near expiry.
/// </summary>
public sealed class SheetsAccessTokens(IOptions<SheetsOptions> options)
{
    private readonly Lazy<ServiceAccountCredential> _credential = new(() =>
    {
        var o = options.Value;
        if (!o.IsConfigured) throw new SheetsAuthenticationException("no service account is configured (Sheets:ServiceAccountEmail and Sheets:ServiceAccountPrivateKey)");
        var initializer = new ServiceAccountCredential.Initializer(o.ServiceAccountEmail, o.TokenUrl.ToString()) { Scopes = [SheetsOptions.Scope] };
        return new ServiceAccountCredential(initializer.FromPrivateKey(o.ServiceAccountPrivateKey));
    });

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _credential.Value.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (TokenResponseException e)
        {
            throw new SheetsAuthenticationException(e.Error?.ErrorDescription ?? e.Error?.Error ?? "the token was refused");
        }
    }
}
