using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Shops;

/// <summary>An endpoint that must call Shopify for a shop WinBack has no working token for tells the merchant what to do.</summary>
public sealed class ShopAuthorizationProblemTests : IAsyncLifetime
{
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => _app = await WinBackApp.StartAsync("shop-authorization");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_shop_that_must_reconnect_is_told_so_instead_of_getting_a_server_error()
    {
        // Seeded without a token, as a shop whose token Shopify revoked is left.
        var shop = await new ReportShop(_app, "revoked-tags.myshopify.com").Customer(1, "Rae", "Rowe").SaveAsync();

        var response = await _app.CreateClientFor(shop.Domain).GetAsync("/api/shopify-tags");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("Open WinBack again from your Shopify admin");
    }
}
