using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Webhooks;

/// <summary>
/// The operator's view of the deliveries set aside as Failed: <c>failed-webhooks</c> lists them (shop, topic, attempts,
/// reason; never the body), <c>replay-webhooks shop.myshopify.com</c> puts a shop's back in the queue with their attempts
/// reset, once the cause is fixed. The minutely webhook run then applies them.
/// </summary>
public static class WebhookReplayCommand
{
    public const string ListName = "failed-webhooks";
    public const string ReplayName = "replay-webhooks";

    /// <returns>How many deliveries were put back in the queue.</returns>
    public static Task<int> ReplayAsync(WinBackDbContext db, string shopDomain, CancellationToken cancellationToken) =>
        db.WebhookReceipts.Where(r => r.ShopDomain == shopDomain && r.Status == WebhookReceiptStatus.Failed)
            .ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Status, WebhookReceiptStatus.Received)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(x => x.ProcessedAt, (DateTimeOffset?)null), cancellationToken);

    /// <returns>The process exit code. The result is the command's output (stdout), whatever the logging configuration.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        if (args is [ReplayName, var shopDomain, ..])
        {
            var replayed = await ReplayAsync(db, shopDomain, CancellationToken.None);
            await Console.Out.WriteLineAsync($"Put {replayed} failed webhooks of {shopDomain} back in the queue; the next webhook run (within a minute) applies them.");
            return 0;
        }
        var failed = await db.WebhookReceipts.AsNoTracking().Where(r => r.Status == WebhookReceiptStatus.Failed)
            .Where(r => args.Length < 2 || r.ShopDomain == args[1])
            .OrderBy(r => r.ReceivedAt).Select(r => new { r.ShopDomain, r.Topic, r.WebhookId, r.ReceivedAt, r.Attempts, r.Error }).ToListAsync();
        foreach (var r in failed)
            await Console.Out.WriteLineAsync($"{r.ReceivedAt:u}  {r.ShopDomain}  {r.Topic}  {r.WebhookId}  attempts {r.Attempts}  {r.Error}");
        await Console.Out.WriteLineAsync($"{failed.Count} failed webhooks. Replay a shop's with: {ReplayName} shop.myshopify.com");
        return 0;
    }
}
