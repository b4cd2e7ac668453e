using System.Security.Claims;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.ShopifyTags;

public sealed record ShopifyTagsStatus(bool Enabled, bool AccessGranted, int TaggedCustomers, DateTimeOffset? LastRunAt, string? LastError,
    string Scope, IReadOnlyList<ShopifyTagInfo> Tags);

public sealed record ShopifyTagInfo(string Tag, string Segment);

public sealed record ShopifyTagsRequest(bool Enabled);

public static class ShopifyTagEndpoints
{
    private static readonly IReadOnlyList<ShopifyTagInfo> Tags = WinBackRules.Segments.Select(s => new ShopifyTagInfo(CustomerTagJob.TagOf(s.Key), s.Title))
        .Append(new ShopifyTagInfo(CustomerTagJob.AtRiskTag, "At risk: still active, but slipping")).ToList();

    public static IEndpointRouteBuilder MapShopifyTagsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/shopify-tags").RequireAuthorization().WithTags("Shopify tags");
        group.MapGet("/", GetAsync).WithSummary("Whether WinBack tags inactive customers in Shopify, whether it may, and how the last run went.");
        group.MapPut("/", SaveAsync).WithSummary("Turns tagging on (write_customers must be granted first) or off (WinBack then removes its tags).");
        return routes;
    }

    private static async Task<ShopifyTagsStatus> GetAsync(ClaimsPrincipal user, WinBackDbContext db, ShopAccessTokens tokens, ShopifyGraphQLClient shopify,
        CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var tagging = await db.ShopifyTaggings.AsNoTracking().SingleOrDefaultAsync(t => t.ShopId == shopId, cancellationToken);
        return Status(tagging, await CustomerTagJob.MayTagAsync(shopify, await tokens.GetAsync(shopId, cancellationToken), cancellationToken));
    }

    private static ShopifyTagsStatus Status(ShopifyTagging? tagging, bool granted) =>
        new(tagging?.Enabled ?? false, granted, tagging?.TaggedCustomers ?? 0, tagging?.LastRunAt, tagging?.LastError, CustomerTagJob.Scope, Tags);

    private static async Task<Results<Ok<ShopifyTagsStatus>, ProblemHttpResult>> SaveAsync(ShopifyTagsRequest body, ClaimsPrincipal user, WinBackDbContext db,
        ShopAccessTokens tokens, ShopifyGraphQLClient shopify, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var granted = await CustomerTagJob.MayTagAsync(shopify, await tokens.GetAsync(shopId, cancellationToken), cancellationToken);
        if (body.Enabled && !granted)
            return TypedResults.Problem("Allow WinBack to edit customers in Shopify first: it asks for this when you turn tagging on.",
                statusCode: StatusCodes.Status409Conflict, title: "WinBack may not edit customers yet.");
        var tagging = await db.ShopifyTaggings.SingleOrDefaultAsync(t => t.ShopId == shopId, cancellationToken);
        if (tagging is null) db.ShopifyTaggings.Add(tagging = new ShopifyTagging { ShopId = shopId });
        tagging.Enabled = body.Enabled;
        tagging.LastError = null;
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue<CustomerTagJob>(job => job.RunAsync(shopId, CancellationToken.None));
        return TypedResults.Ok(Status(tagging, granted));
    }
}
