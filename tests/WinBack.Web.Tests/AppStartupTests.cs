using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Tests;

public sealed class AppStartupTests
{
    [Fact]
    public async Task The_app_starts_against_a_migrated_database_and_answers()
    {
        await using var app = await WinBackApp.StartAsync("startup");
        var response = await app.CreateClient().GetAsync("/healthz");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void A_missing_connection_string_stops_the_app_with_a_sentence_naming_the_setting()
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:WinBack", "");
            b.UseSetting("Jobs:RunServer", "false");
            b.UseSetting("ShopifyApp:ApiKey", "key");
            b.UseSetting("ShopifyApp:ApiSecret", "secret");
            b.UseSetting("ShopifyApp:AppUrl", "https://winback.test/");
        });

        var act = () => app.CreateClient();

        act.Should().Throw<OptionsValidationException>().WithMessage("*ConnectionStrings:WinBack*");
    }

    [Fact]
    public void An_unknown_shopify_api_version_stops_the_app()
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:WinBack", "Host=127.0.0.1;Database=unused");
            b.UseSetting("Jobs:RunServer", "false");
            b.UseSetting("Shopify:ApiVersion", "2026-13");
            b.UseSetting("ShopifyApp:ApiKey", "key");
            b.UseSetting("ShopifyApp:ApiSecret", "secret");
            b.UseSetting("ShopifyApp:AppUrl", "https://winback.test/");
        });

        var act = () => app.CreateClient();

        act.Should().Throw<OptionsValidationException>().WithMessage("*ApiVersion*");
    }
}
