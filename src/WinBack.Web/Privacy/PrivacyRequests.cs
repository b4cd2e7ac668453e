using System.Security.Claims;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Sheets;
using WinBack.Web.Shops;

namespace WinBack.Web.Privacy;

/// <summary>
/// Shopify's three compliance requests, carried out on everything WinBack keeps: customer and order rows, data-request
/// exports and the raw webhook bodies (which hold names and emails). Every step can run twice without harm.
/// </summary>
public sealed class PrivacyRequests(WinBackDbContext db, IBackgroundJobClient jobs, TimeProvider time)
{
    /// <summary>Stands in for a webhook body that was erased.</summary>
    public const string RedactedPayload = """{"redacted":true}""";

    /// <summary>customers/data_request: compile everything WinBack holds on the customer (their row, orders with line
    /// items, predictions, win-back listings, the tag WinBack wrote, and the webhook bodies still kept) for the merchant
    /// to download from the app.</summary>
    public async Task CompileDataRequestAsync(string shopDomain, JsonElement payload, CancellationToken cancellationToken)
    {
        var requestId = payload.GetProperty("data_request").GetProperty("id").GetInt64();
        var customerId = payload.GetProperty("customer").GetProperty("id").GetInt64();
        if (await db.CustomerDataRequests.AnyAsync(r => r.ShopDomain == shopDomain && r.Id == requestId, cancellationToken)) return;

        var shopId = await ShopIdAsync(shopDomain, cancellationToken);
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ShopId == shopId && c.Id == customerId, cancellationToken);
        var orders = await db.Orders.AsNoTracking().Where(o => o.ShopId == shopId && o.CustomerId == customerId).OrderBy(o => o.ProcessedAt)
            .Select(o => new
            {
                o.Id, o.Name, o.ProcessedAt, o.CancelledAt, o.Test, o.CurrentTotal, o.CurrencyCode,
                LineItems = db.OrderLineItems.Where(li => li.ShopId == o.ShopId && li.OrderId == o.Id).OrderBy(li => li.Id)
                    .Select(li => new { li.Id, li.ProductId, li.Title, li.Quantity }).ToList(),
            })
            .ToListAsync(cancellationToken);
        // The shop as a constant, so PostgreSQL plans the read on the shop's partition alone (CustomerPredictionPartitions.ScoresOf).
        var prediction = await db.CustomerPredictions.AsNoTracking().Where(p => p.ShopId == EF.Constant(shopId) && p.CustomerId == customerId)
            .Select(p => new { p.ProbabilityAlive, p.UsualIntervalDays, p.ExpectedNextOrderOn, p.PredictedValue, p.RfmScore, RfmSegment = p.RfmSegment.ToString() })
            .SingleOrDefaultAsync(cancellationToken);
        var listings = await db.WinBackListings.AsNoTracking().Where(l => l.ShopId == shopId && l.CustomerId == customerId).OrderBy(l => l.FirstListedAt)
            .Select(l => new { l.LastOrderOn, l.FirstListedAt, l.Segment, Channels = CameBackList.Words(l.Channels), l.Control }).ToListAsync(cancellationToken);
        var tags = await db.CustomerTags.AsNoTracking().Where(t => t.ShopId == shopId && t.CustomerId == customerId).Select(t => t.Tag).ToListAsync(cancellationToken);
        var bodies = await StoredWebhookBodies.AboutAsync(db, shopDomain, customerId, orders.Select(o => o.Id).ToList(), cancellationToken);
        var export = new
        {
            shop = shopDomain,
            customerId,
            compiledAt = time.GetUtcNow(),
            customer = customer is null ? null : new
            {
                customer.FirstName, customer.LastName, customer.Email, customer.EmailMarketingState, customer.CreatedAt, customer.UpdatedAt,
                customer.OrdersCount, customer.FirstOrderAt, customer.LastOrderAt, customer.TotalSpent,
            },
            orders,
            prediction,
            winBackListings = listings,
            shopifyTags = tags,
            webhookBodies = bodies.OrderBy(b => b.ReceivedAt).Select(b => new { b.Topic, b.ReceivedAt, body = b.Payload }),
        };
        db.CustomerDataRequests.Add(new CustomerDataRequest
        {
            ShopDomain = shopDomain,
            Id = requestId,
            CustomerId = customerId,
            RequestedAt = time.GetUtcNow(),
            Export = JsonSerializer.Serialize(export, JsonSerializerOptions.Web),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>customers/redact: the customer row goes, their orders (and the ones Shopify lists in orders_to_redact) stay
    /// only as anonymous totals, and no stored body, export or saved search names them.</summary>
    public async Task RedactCustomerAsync(string shopDomain, JsonElement payload, CancellationToken cancellationToken)
    {
        var customerId = payload.GetProperty("customer").GetProperty("id").GetInt64();
        var ordersToRedact = payload.TryGetProperty("orders_to_redact", out var listed) && listed.ValueKind == JsonValueKind.Array
            ? listed.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.Number).Select(o => o.GetInt64()).ToList()
            : [];
        var shopId = await ShopIdAsync(shopDomain, cancellationToken);
        if (shopId is not null)
        {
            var email = await db.Customers.Where(c => c.ShopId == shopId && c.Id == customerId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken)
                ?? (payload.GetProperty("customer").TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null);
            ordersToRedact.AddRange(await db.Orders.Where(o => o.ShopId == shopId && o.CustomerId == customerId).Select(o => o.Id).ToListAsync(cancellationToken));
            // The Google Sheets are copies too: first, so their runs wait for this commit and then drop the customer's row.
            await SheetRedactions.QueueRewritesAsync(db, jobs, shopId.Value, cancellationToken);
            await CustomerErasure.EraseAsync(db, shopId.Value, [customerId], cancellationToken);
            // Remembered, so a re-sync's older export or a late webhook about their orders cannot bring them back.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO redacted_customers (shop_id, customer_id, redacted_at) VALUES ({shopId.Value}, {customerId}, {time.GetUtcNow()})
                ON CONFLICT (shop_id, customer_id) DO NOTHING
                """, cancellationToken);
            await db.Orders.Where(o => o.ShopId == shopId && ordersToRedact.Contains(o.Id) && o.CustomerId != null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.CustomerId, (long?)null), cancellationToken);
            // Shopify deletes the customer too: there is no tag left there to remove.
            await db.CustomerTags.Where(t => t.ShopId == shopId && t.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
            if (!string.IsNullOrEmpty(email)) await ForgetSearchesForAsync(shopId.Value, email, cancellationToken);
        }
        await db.CustomerDataRequests.Where(r => r.ShopDomain == shopDomain && r.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
        foreach (var body in await StoredWebhookBodies.AboutAsync(db, shopDomain, customerId, ordersToRedact, cancellationToken))
            body.Payload = RedactedPayload;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A saved view that searches for the customer's email keeps its other filters and loses the search.</summary>
    private async Task ForgetSearchesForAsync(long shopId, string email, CancellationToken cancellationToken)
    {
        var views = await db.SavedViews.Where(v => v.ShopId == shopId).ToListAsync(cancellationToken);
        foreach (var view in views)
        {
            var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(view.Query);
            if (!parameters.TryGetValue("q", out var search) || !search.ToString().Contains(email, StringComparison.OrdinalIgnoreCase)) continue;
            view.Query = string.Join('&', view.Query.Split('&').Where(part => !part.StartsWith("q=", StringComparison.Ordinal)));
            view.UpdatedAt = time.GetUtcNow();
        }
    }

    /// <summary>The shop's id, or null when WinBack has no such shop (compliance requests can outlive it).</summary>
    private Task<long?> ShopIdAsync(string shopDomain, CancellationToken cancellationToken) =>
        db.Shops.Where(s => s.Domain == shopDomain).Select(s => (long?)s.Id).SingleOrDefaultAsync(cancellationToken);

    /// <summary>shop/redact: everything of the shop goes (the shops_deleted trigger takes customers, orders, line items,
    /// scores and listings; the foreign keys' cascade the rest).</summary>
    public async Task RedactShopAsync(string shopDomain, CancellationToken cancellationToken)
    {
        var shopId = await ShopIdAsync(shopDomain, cancellationToken);
        await SheetRedactions.QueueTabClearsAsync(db, jobs, shopId, cancellationToken);
        await db.Shops.Where(s => s.Domain == shopDomain).ExecuteDeleteAsync(cancellationToken);
        await db.CustomerDataRequests.Where(r => r.ShopDomain == shopDomain).ExecuteDeleteAsync(cancellationToken);
        await db.WebhookReceipts.Where(r => r.ShopDomain == shopDomain).ExecuteUpdateAsync(r => r.SetProperty(x => x.Payload, RedactedPayload), cancellationToken);
    }
}

public static class PrivacyEndpoints
{
    /// <summary>Shopify's rule: the merchant gives the customer their data within 30 days of the request.</summary>
    public static readonly TimeSpan TimeToRespond = TimeSpan.FromDays(30);

    /// <param name="DownloadedAt">When the merchant first downloaded the file; null while it is still waiting for them.</param>
    public sealed record DataRequestSummary(long Id, long CustomerId, DateTimeOffset RequestedAt, DateTimeOffset RespondBy, DateTimeOffset? DownloadedAt);

    /// <summary>The merchant's downloads of customers/data_request exports (their own shop only, by session token).</summary>
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/privacy/data-requests").RequireAuthorization();
        group.MapGet("/", async (ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken) =>
            await db.CustomerDataRequests.Where(r => r.ShopDomain == user.ShopDomain()).OrderByDescending(r => r.RequestedAt)
                .Select(r => new DataRequestSummary(r.Id, r.CustomerId, r.RequestedAt, r.RequestedAt + TimeToRespond, r.DownloadedAt)).ToListAsync(cancellationToken));
        group.MapGet("/{id:long}", async (long id, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (await db.CustomerDataRequests.SingleOrDefaultAsync(r => r.ShopDomain == user.ShopDomain() && r.Id == id, cancellationToken) is not { } request)
                return Results.Problem("There is no such data request for your shop.", statusCode: StatusCodes.Status404NotFound);
            request.DownloadedAt ??= time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(request.Export), "application/json", $"customer-{request.CustomerId}-data-request-{request.Id}.json");
        });
        return routes;
    }
}
