using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Shops;

public static class SessionEndpoints
{
    public sealed record SessionInfo(string Shop, string? Name, string? CurrencyCode, string? IanaTimezone);

    /// <summary>GET /api/session: who the UI is talking for, from the session token alone.</summary>
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/session", async (ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken) =>
        {
            var shopId = user.ShopId();
            return await db.Shops.AsNoTracking().Where(s => s.Id == shopId)
                .Select(s => new SessionInfo(s.Domain, s.Name, s.CurrencyCode, s.IanaTimezone))
                .SingleAsync(cancellationToken);
        }).RequireAuthorization();
        return routes;
    }
}
