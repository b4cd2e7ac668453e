using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Settings;
using WinBack.Web.Sync;

namespace WinBack.Web.Shops;

/// <summary>
/// What happens once Shopify has issued WinBack a token for a shop, by either install flow: keep the token encrypted,
/// read the shop's currency and timezone, register the webhooks, and queue the first sync. A shop that comes back
/// after uninstalling keeps its settings (unless shop/redact erased it). Installs of one shop run one at a time across
/// servers: Shopify keeps only the latest expiring token, so two first loads that each exchanged one would race to
/// store theirs, and the slower could store a token already revoked.
/// </summary>
public sealed class ShopInstaller(
    WinBackDbContext db,
    ShopAccessTokens tokens,
    ShopifyGraphQLClient shopify,
    IOptions<ShopifyAppOptions> app,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<ShopInstaller> logger)
{
    /// <summary>The topics WinBack subscribes to through the API (shopify.app.toml lists the same, plus the compliance topics).</summary>
    public static readonly IReadOnlyList<string> WebhookTopics =
    [
        "APP_UNINSTALLED", "BULK_OPERATIONS_FINISH", "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CUSTOMERS_DELETE",
        "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE", "REFUNDS_CREATE",
    ];

    private const string SubscribeMutation =
        "mutation Subscribe($topic: WebhookSubscriptionTopic!, $url: URL!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { callbackUrl: $url, format: JSON }) { userErrors { field message } } }";

    private sealed record SubscribePayload(IReadOnlyList<UserError> UserErrors);
    private sealed record SubscribeData(SubscribePayload WebhookSubscriptionCreate);

    private const int InstallLockNamespace = 0x57_42_49; // "WBI"

    /// <summary>The embedded load: unless the shop already has a working token, <paramref name="exchange"/> gets one and the shop is set up.</summary>
    public async Task EnsureInstalledAsync(string shopDomain, Func<CancellationToken, Task<IssuedAccessToken>> exchange, CancellationToken cancellationToken)
    {
        if (await HasWorkingTokenAsync(shopDomain, cancellationToken)) return;
        await db.RunInTurnAsync(InstallLockNamespace, shopDomain, async () =>
        {
            if (!await HasWorkingTokenAsync(shopDomain, cancellationToken))
                await CompleteInstallAsync(shopDomain, await exchange(cancellationToken), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The authorization-code callback: <paramref name="issue"/> spends the code and the shop is set up with its token.</summary>
    public Task InstallAsync(string shopDomain, Func<CancellationToken, Task<IssuedAccessToken>> issue, CancellationToken cancellationToken) =>
        db.RunInTurnAsync(InstallLockNamespace, shopDomain, async () => await CompleteInstallAsync(shopDomain, await issue(cancellationToken), cancellationToken), cancellationToken);

    private Task<bool> HasWorkingTokenAsync(string shopDomain, CancellationToken cancellationToken) =>
        db.Shops.AnyAsync(s => s.Domain == shopDomain && s.UninstalledAt == null && !s.NeedsReauthorization && s.AccessTokenCiphertext != null, cancellationToken);

    private async Task CompleteInstallAsync(string shopDomain, IssuedAccessToken issued, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var shop = await db.Shops.SingleOrDefaultAsync(s => s.Domain == shopDomain, cancellationToken);
        // Uninstalled, or its refresh refused (Shopify forgot WinBack: a reinstall whose app/uninstalled is not processed
        // yet looks like this): subscriptions may be gone and data stale, so start as on a first install.
        var startsAfresh = shop is null || !shop.IsInstalled || shop.NeedsReauthorization || shop.AccessTokenCiphertext is null;
        if (shop is null)
        {
            shop = new Shop { Domain = shopDomain, InstalledAt = now };
            db.Shops.Add(shop);
        }
        else if (startsAfresh)
        {
            // A new installation from here on: an app/uninstalled of an earlier one, still queued, must not end it.
            shop.InstalledAt = now;
            shop.UninstalledAt = null;
        }
        tokens.Store(shop, issued);

        var credentials = new ShopifyCredentials(shopDomain, issued.AccessToken);
        var info = await shopify.GetShopAsync(credentials, cancellationToken);
        shop.Name = info.Name;
        shop.CurrencyCode = info.CurrencyCode;
        shop.IanaTimezone = info.IanaTimezone;
        await db.SaveChangesAsync(cancellationToken);

        if (!await db.ShopSettings.AnyAsync(s => s.ShopId == shop.Id, cancellationToken))
        {
            db.ShopSettings.Add(new ShopSettings { ShopId = shop.Id, UpdatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }

        if (startsAfresh)
        {
            await RegisterWebhooksAsync(credentials, cancellationToken);
            // A sync that failed for want of a token starts over with a new export; otherwise this is the first one.
            if (!await SyncEndpoints.QueueFailedSyncAgainAsync(db, jobs, shop.Id, cancellationToken))
                jobs.Enqueue<InitialSyncJob>(job => job.RunAsync(shop.Id, CancellationToken.None));
            logger.LogInformation("Installed WinBack on {Shop} ({Currency}, {Timezone})", shop.Domain, shop.CurrencyCode, shop.IanaTimezone);
        }
        else if (await SyncEndpoints.QueueFailedSyncAgainAsync(db, jobs, shop.Id, cancellationToken))
        {
            logger.LogInformation("Reconnected {Shop}; its failed sync is queued again", shop.Domain);
        }
    }

    private async Task RegisterWebhooksAsync(ShopifyCredentials shop, CancellationToken cancellationToken)
    {
        var url = app.Value.AppUrlFor("webhooks").ToString();
        foreach (var topic in WebhookTopics)
        {
            var result = await shopify.ExecuteAsync<SubscribeData>(shop, SubscribeMutation, new { topic, url }, cancellationToken);
            var errors = result.Data.WebhookSubscriptionCreate.UserErrors;
            // A reinstall finds its subscriptions still there: "already taken" means done.
            if (errors.Count > 0 && !errors.All(e => e.Message.Contains("already been taken", StringComparison.OrdinalIgnoreCase)))
                throw new ShopifyUserErrorsException("webhookSubscriptionCreate", errors, result.RequestId);
        }
    }
}
