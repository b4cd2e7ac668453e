using System.Security.Claims;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Settings;
using WinBack.Web.Sheets;
using WinBack.Web.Shops;

namespace WinBack.Web.Privacy;

public sealed record RetentionStatus(int? Months, int SuggestedMonths, int MinMonths, int MaxMonths, int MonthsCounted, int CustomersBeyond);

public sealed record RetentionRequest(int? Months);

/// <summary>
/// Saying goodbye (data minimisation, off by default): a shop can choose to forget customers whose last order is older
/// than N months. Every night they are erased as customers/redact erases one customer (<see cref="CustomerErasure"/>),
/// and the shop's sheets are rewritten without them. Stored webhook bodies older than the period are erased too.
/// </summary>
public sealed class DataRetention(WinBackDbContext db, IBackgroundJobClient jobs, TimeProvider time, ILogger<DataRetention> logger)
{
    public const int SuggestedMonths = 36;
    public const int MinMonths = 6;
    public const int MaxMonths = 120;

    /// <summary>Customers whose last order is older than <paramref name="months"/> months: what turning it on would erase now.</summary>
    public Task<int> CountBeyondAsync(long shopId, int months, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddMonths(-months);
        return db.Customers.CountAsync(c => c.ShopId == shopId && c.OrdersCount > 0 && c.LastOrderAt < cutoff, cancellationToken);
    }

    /// <summary>The saved period and what <paramref name="counted"/> months would erase now.</summary>
    public async Task<RetentionStatus> StatusAsync(long shopId, int? saved, int counted, CancellationToken cancellationToken) =>
        new(saved, SuggestedMonths, MinMonths, MaxMonths, counted, await CountBeyondAsync(shopId, counted, cancellationToken));

    /// <summary>The nightly run for one shop; does nothing unless the shop turned retention on.</summary>
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        var months = await db.ShopSettings.Where(s => s.ShopId == shopId).Select(s => s.RetentionMonths).SingleOrDefaultAsync(cancellationToken);
        var shop = await db.Shops.AsNoTracking().SingleOrDefaultAsync(s => s.Id == shopId, cancellationToken);
        if (months is not { } m || shop is not { IsInstalled: true }) return;
        var cutoff = time.GetUtcNow().AddMonths(-m);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var forgotten = 0;
        if (await db.Customers.AnyAsync(c => c.ShopId == shopId && c.OrdersCount > 0 && c.LastOrderAt < cutoff, cancellationToken))
        {
            await SheetRedactions.QueueRewritesAsync(db, jobs, shopId, cancellationToken);
            // Read locked, just before the erasure: a customer whose new order a webhook is committing is waited for, and
            // then no longer long gone (the rows are checked again once the lock is had).
            var longGone = (await db.Database.SqlQuery<long>($"""
                SELECT id AS "Value" FROM customers WHERE shop_id = {shopId} AND orders_count > 0 AND last_order_at < {cutoff} FOR UPDATE
                """).ToListAsync(cancellationToken)).ToArray();
            forgotten = await CustomerErasure.EraseAsync(db, shopId, longGone, cancellationToken);
        }
        await db.WebhookReceipts.Where(r => r.ShopDomain == shop.Domain && r.ReceivedAt < cutoff && r.Payload != PrivacyRequests.RedactedPayload)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Payload, PrivacyRequests.RedactedPayload), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (forgotten > 0) logger.LogInformation("Shop {ShopId}: {Count} customers gone more than {Months} months were erased", shopId, forgotten, m);
    }
}

/// <summary>The nightly fan-out: one retention run per installed shop that turned it on.</summary>
public sealed class DataRetentionDispatcher(WinBackDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringId = "privacy:data-retention";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shops = await db.ShopSettings.Where(s => s.RetentionMonths != null)
            .Join(db.Shops.Where(s => s.UninstalledAt == null), s => s.ShopId, shop => shop.Id, (s, _) => s.ShopId).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<DataRetention>(job => job.RunAsync(shopId, CancellationToken.None));
    }
}

public static class DataRetentionEndpoints
{
    public static IEndpointRouteBuilder MapDataRetentionApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/data-retention").RequireAuthorization().WithTags("Privacy");
        group.MapGet("/", GetAsync).WithSummary("The retention period (null = keep everyone) and how many customers a period would erase now.");
        group.MapPut("/", SaveAsync).WithSummary("Turns retention on with a period in months, or off with null.");
        return routes;
    }

    private static async Task<Results<Ok<RetentionStatus>, ValidationProblem>> GetAsync(
        int? months, ClaimsPrincipal user, WinBackDbContext db, DataRetention retention, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        if (Invalid(months) is { } errors) return errors;
        var saved = await db.ShopSettings.Where(s => s.ShopId == shopId).Select(s => s.RetentionMonths).SingleOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(await retention.StatusAsync(shopId, saved, months ?? saved ?? DataRetention.SuggestedMonths, cancellationToken));
    }

    private static async Task<Results<Ok<RetentionStatus>, ValidationProblem>> SaveAsync(
        RetentionRequest body, ClaimsPrincipal user, WinBackDbContext db, DataRetention retention, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        if (Invalid(body.Months) is { } errors) return errors;
        var settings = await db.ShopSettingsToChangeAsync(shopId, cancellationToken);
        settings.RetentionMonths = body.Months;
        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await retention.StatusAsync(shopId, body.Months, body.Months ?? DataRetention.SuggestedMonths, cancellationToken));
    }

    private static ValidationProblem? Invalid(int? months)
    {
        if (months is null or (>= DataRetention.MinMonths and <= DataRetention.MaxMonths)) return null;
        var sentence = $"Keep customers between {DataRetention.MinMonths} and {DataRetention.MaxMonths} months after their last order.";
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["months"] = [sentence] }, detail: sentence, title: "The retention period is not valid.");
    }
}
