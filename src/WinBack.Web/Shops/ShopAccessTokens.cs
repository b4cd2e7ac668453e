using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;

namespace WinBack.Web.Shops;

/// <summary>The shop cannot be called: uninstalled, or its token could not be refreshed and the merchant must open the app again.</summary>
public sealed class ShopNotAuthorizedException(string shopDomain, string reason)
    : Exception($"{shopDomain} cannot be reached: {reason}")
{
    public string ShopDomain { get; } = shopDomain;
}

/// <summary>
/// Hands out a working access token for a shop, refreshing an expiring one five minutes before it lapses. The refresh
/// runs under a row lock, so two servers never both spend the one refresh token; a refused refresh marks the shop as
/// needing re-authorization instead of trying again and again.
/// </summary>
public sealed class ShopAccessTokens(
    WinBackDbContext db,
    ShopTokenProtector protector,
    ShopifyOAuthClient oauth,
    IOptions<ShopifyAppOptions> app,
    TimeProvider time,
    ILogger<ShopAccessTokens> logger)
{
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    public async Task<ShopifyCredentials> GetAsync(long shopId, CancellationToken cancellationToken = default)
    {
        var shop = await db.Shops.AsNoTracking().SingleAsync(s => s.Id == shopId, cancellationToken);
        EnsureUsable(shop);
        if (!NeedsRefresh(shop)) return new ShopifyCredentials(shop.Domain, protector.Unprotect(shop.AccessTokenCiphertext!));

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Shops.FromSql($"SELECT * FROM shops WHERE id = {shopId} FOR UPDATE").SingleAsync(cancellationToken);
        EnsureUsable(locked);
        if (NeedsRefresh(locked))
        {
            try
            {
                var issued = await oauth.RefreshAsync(locked.Domain, app.Value.ApiKey, app.Value.ApiSecret, protector.Unprotect(locked.RefreshTokenCiphertext!), cancellationToken);
                Store(locked, issued);
                logger.LogInformation("Refreshed the access token of {Shop}", locked.Domain);
            }
            catch (ShopifyOAuthException e)
            {
                locked.NeedsReauthorization = true;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogWarning("Shopify refused to refresh the token of {Shop} ({Error}); the shop needs re-authorization", locked.Domain, e.Error);
                throw new ShopNotAuthorizedException(locked.Domain, "the token refresh was refused; the merchant must open WinBack again");
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ShopifyCredentials(locked.Domain, protector.Unprotect(locked.AccessTokenCiphertext!));
    }

    /// <summary>Shopify answered 401 to the shop's token: nothing calls the shop until the merchant's next embedded load
    /// exchanges a new token. The one place a refused token is acted on (the job policy and the first sync call it).</summary>
    public Task MarkNeedsReauthorizationAsync(ShopifyUnauthorizedException refused, CancellationToken cancellationToken) =>
        db.Shops.Where(s => s.Domain == refused.ShopDomain).ExecuteUpdateAsync(s => s.SetProperty(x => x.NeedsReauthorization, true), cancellationToken);

    /// <summary>Keeps a freshly issued token pair, encrypted.</summary>
    public void Store(Shop shop, IssuedAccessToken issued)
    {
        shop.AccessTokenCiphertext = protector.Protect(issued.AccessToken);
        shop.AccessTokenExpiresAt = issued.ExpiresAt;
        shop.RefreshTokenCiphertext = issued.RefreshToken is null ? null : protector.Protect(issued.RefreshToken);
        shop.RefreshTokenExpiresAt = issued.RefreshTokenExpiresAt;
        shop.Scopes = issued.Scope;
        shop.NeedsReauthorization = false;
    }

    private bool NeedsRefresh(Shop shop) =>
        shop.AccessTokenExpiresAt is { } expiresAt && expiresAt - time.GetUtcNow() < RefreshMargin;

    private static void EnsureUsable(Shop shop)
    {
        if (!shop.IsInstalled) throw new ShopNotAuthorizedException(shop.Domain, "WinBack is uninstalled");
        if (shop.NeedsReauthorization || shop.AccessTokenCiphertext is null)
            throw new ShopNotAuthorizedException(shop.Domain, "the merchant must open WinBack again to authorize it");
    }
}
