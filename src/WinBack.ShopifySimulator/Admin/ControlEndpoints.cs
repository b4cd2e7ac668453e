using WinBack.ShopifySimulator.OAuth;
using WinBack.ShopifySimulator.Seeding;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.ShopifySimulator.Admin;

/// <summary>Shopify's side of things that no API call does: a merchant installs or uninstalls, Shopify sends compliance requests.</summary>
public static class ShopLifecycle
{
    public sealed record NewShop(
        string Domain,
        string? Name = null,
        string CurrencyCode = "USD",
        string IanaTimezone = "America/New_York",
        IReadOnlyList<string>? Scopes = null,
        bool ProtectedCustomerData = true,
        int? Seed = null,
        int Orders = 0);

    public static readonly IReadOnlyList<string> DefaultScopes = ["read_customers", "read_orders", "read_all_orders"];

    /// <summary>The app's optional_scopes (shopify.app.toml): what the merchant may grant after install, and revoke.</summary>
    public static readonly IReadOnlyList<string> OptionalScopes = ["write_customers"];

    public sealed record ScopesRequest(IReadOnlyList<string> Scopes);

    /// <summary>
    /// App Bridge's scopes.request: the merchant grants the optional scopes asked for (the simulator's merchant says yes
    /// to every declared optional scope; anything else is declined, as Shopify only offers declared ones).
    /// </summary>
    public static object Grant(SimulatedShop shop, IReadOnlyList<string> scopes)
    {
        lock (shop.Sync)
        {
            var granted = scopes.Where(OptionalScopes.Contains).ToList();
            foreach (var scope in granted) shop.Installation!.Scopes.Add(scope);
            var declined = scopes.Except(granted).ToList();
            return new { result = declined.Count == 0 ? "granted-all" : granted.Count == 0 ? "declined-all" : "granted-some", detail = new { granted, declined } };
        }
    }

    public static object Revoke(SimulatedShop shop, IReadOnlyList<string> scopes)
    {
        lock (shop.Sync)
        {
            var revoked = scopes.Where(s => OptionalScopes.Contains(s) && shop.Installation!.Scopes.Remove(s)).ToList();
            return new { detail = new { revoked } };
        }
    }

    public static object Query(SimulatedShop shop)
    {
        lock (shop.Sync)
        {
            var granted = shop.Installation!.Scopes.Order(StringComparer.Ordinal).ToList();
            return new { granted, required = granted.Except(OptionalScopes).ToList(), optional = OptionalScopes };
        }
    }

    /// <summary>Creates the shop, installs the app (Shopify managed installation) and optionally fills it with generated data.</summary>
    public static SimulatedShop CreateAndInstall(SimulatorRuntime runtime, NewShop request)
    {
        var shop = runtime.Store.GetOrCreate(request.Domain);
        var now = runtime.Time.GetUtcNow();
        lock (shop.Sync)
        {
            shop.Name = request.Name ?? shop.Name;
            shop.CurrencyCode = request.CurrencyCode;
            shop.IanaTimezone = request.IanaTimezone;
            shop.Installation = new AppInstallation
            {
                Scopes = (request.Scopes ?? DefaultScopes).ToHashSet(),
                ProtectedCustomerData = request.ProtectedCustomerData,
                InstalledAt = now,
            };
        }
        if (request.Orders > 0)
            ShopDataGenerator.Populate(shop, runtime.Store, new GeneratedShopSpec(request.Seed ?? 1, request.Orders, now));
        return shop;
    }

    /// <summary>The merchant removes the app: app/uninstalled goes out and every token stops working at once.</summary>
    public static void Uninstall(SimulatorRuntime runtime, SimulatedShop shop)
    {
        lock (shop.Sync)
        {
            if (shop.Installation is not { IsInstalled: true } installation) return;
            runtime.Webhooks.Publish(shop, WebhookTopics.AppUninstalled, WebhookPayloads.Shop(shop));
            installation.UninstalledAt = runtime.Time.GetUtcNow();
            installation.AccessTokens.Clear();
            installation.RefreshToken = null;
            installation.PreviousRefreshToken = null;
            shop.WebhookSubscriptions.Clear();
        }
    }

    public static bool SendCompliance(SimulatorRuntime runtime, SimulatedShop shop, string topic, long? customerId)
    {
        lock (shop.Sync)
        {
            var customer = customerId is { } id ? shop.FindCustomer(id) : null;
            var orderIds = customer is null ? [] : shop.OrdersOf(customer.Id).Select(o => o.Id).ToList();
            object? payload = topic switch
            {
                WebhookTopics.ShopRedact => WebhookPayloads.ShopRedact(shop),
                WebhookTopics.CustomersRedact when customer is not null => WebhookPayloads.CustomersRedact(shop, customer, orderIds),
                WebhookTopics.CustomersDataRequest when customer is not null => WebhookPayloads.CustomersDataRequest(shop, customer, orderIds, runtime.Store.NextId()),
                _ => null,
            };
            if (payload is null) return false;
            runtime.Webhooks.PublishCompliance(shop, topic, payload);
            return true;
        }
    }
}

/// <summary>/simulator/...: the operator's and the tests' handle on the simulated platform (not part of Shopify's API).</summary>
public static class ControlEndpoints
{
    public static IEndpointRouteBuilder MapSimulatorControl(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/simulator");
        group.MapPost("/shops", (ShopLifecycle.NewShop request, SimulatorRuntime runtime) =>
        {
            if (!request.Domain.EndsWith(".myshopify.com", StringComparison.Ordinal))
                return Results.Problem("The shop domain must end in .myshopify.com.", statusCode: 400);
            var shop = ShopLifecycle.CreateAndInstall(runtime, request);
            lock (shop.Sync) return Results.Ok(new { shop.Domain, customers = shop.Customers.Count, orders = shop.Orders.Count });
        });
        group.MapPost("/shops/{domain}/uninstall", (string domain, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is { } shop ? Ok(() => ShopLifecycle.Uninstall(runtime, shop)) : Results.NotFound());
        group.MapPost("/shops/{domain}/compliance/{resource}/{action}", (string domain, string resource, string action, long? customerId, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is { } shop && ShopLifecycle.SendCompliance(runtime, shop, $"{resource}/{action}", customerId)
                ? Results.Accepted()
                : Results.NotFound());
        group.MapGet("/shops/{domain}/id-token", (string domain, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is null
                ? Results.NotFound()
                : Results.Ok(new { idToken = SessionTokens.Mint(domain, runtime.Options.ApiKey, runtime.Options.ApiSecret, runtime.Time.GetUtcNow(), runtime.Options.IdTokenLifetime) }));
        group.MapGet("/webhooks", (SimulatorRuntime runtime) => runtime.Webhooks.Attempts);
        group.MapGet("/shops/{domain}/scopes", (string domain, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is { Installation.IsInstalled: true } shop ? Results.Ok(ShopLifecycle.Query(shop)) : Results.NotFound());
        group.MapPost("/shops/{domain}/scopes/grant", (string domain, ShopLifecycle.ScopesRequest request, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is { Installation.IsInstalled: true } shop ? Results.Ok(ShopLifecycle.Grant(shop, request.Scopes)) : Results.NotFound());
        group.MapPost("/shops/{domain}/scopes/revoke", (string domain, ShopLifecycle.ScopesRequest request, SimulatorRuntime runtime) =>
            runtime.Store.Find(domain) is { Installation.IsInstalled: true } shop ? Results.Ok(ShopLifecycle.Revoke(shop, request.Scopes)) : Results.NotFound());
        return routes;
    }

    private static IResult Ok(Action action)
    {
        action();
        return Results.NoContent();
    }
}
