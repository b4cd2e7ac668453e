using System.Buffers.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.OAuth;
using WinBack.Web.Shops;

namespace WinBack.Browser.Tests;

/// <summary>How the merchant gets into WinBack when Shopify's sign-in is not fresh.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInPageTests(BrowserApp browser)
{
    [Fact]
    public async Task A_first_load_with_an_expired_session_token_bounces_through_app_bridge_to_the_working_report()
    {
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop));
        var frameLoads = new List<Uri>();

        var (_, app) = await browser.OpenAsync(BrowserApp.ReportShop, $"{AdminPageEndpoints.ExpiredIdTokenParameter}=1", frameLoads: frameLoads);

        await app.GetByRole(AriaRole.Heading, new() { Name = $"{expected.Count:N0} inactive customers", Exact = true }).WaitForAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(app.GetByText("Something went wrong")).ToHaveCountAsync(0);
        frameLoads.Select(u => u.AbsolutePath).Should().Equal(["/", InstallEndpoints.SessionTokenBouncePath, "/"], "an expired token bounces once, then App Bridge reloads WinBack");
        var firstToken = QueryHelpers.ParseQuery(frameLoads[0].Query)["id_token"].ToString();
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(firstToken.Split('.')[1]));
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("iat").GetInt64());
        SessionTokens.ValidShop(firstToken, WinBackApp.ApiKey, WinBackApp.ApiSecret, issuedAt).Should().Be(BrowserApp.ReportShop, "Shopify signed it");
        DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("exp").GetInt64()).Should().BeBefore(DateTimeOffset.UtcNow.AddMinutes(-4), "it had expired minutes before");
    }
}
