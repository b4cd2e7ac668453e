using System.Text;

namespace WinBack.Shopify.Tests;

public sealed class ShopifyHmacTests
{
    // Vectors from ../shared/reference/shopify-platform.md (sections 1.4 and 3.2), recomputed there independently.
    [Fact]
    public void Webhook_signature_matches_shopifys_vector()
    {
        var body = Encoding.UTF8.GetBytes("""{"shop_id":954889,"shop_domain":"example.myshopify.com"}""");
        ShopifyHmac.SignWebhook("hush", body).Should().Be("aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYE=");
        ShopifyHmac.VerifyWebhook("hush", body, "aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYE=").Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYF=")]
    public void A_missing_or_wrong_webhook_signature_is_rejected(string? header)
    {
        var body = Encoding.UTF8.GetBytes("""{"shop_id":954889,"shop_domain":"example.myshopify.com"}""");
        ShopifyHmac.VerifyWebhook("hush", body, header).Should().BeFalse();
    }

    [Fact]
    public void A_body_changed_by_one_byte_fails_verification()
    {
        var body = Encoding.UTF8.GetBytes("""{"shop_id":954889,"shop_domain":"example.myshopify.com "}""");
        ShopifyHmac.VerifyWebhook("hush", body, "aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYE=").Should().BeFalse();
    }

    [Fact]
    public void Query_signature_matches_shopifys_oauth_vector()
    {
        var query = new Dictionary<string, string>
        {
            ["shop"] = "some-shop.myshopify.com",
            ["code"] = "0907a61c0c8d55e99db179b68161bc00",
            ["timestamp"] = "1337178173",
            ["state"] = "0.6784241404160823",
        };
        ShopifyHmac.SignQuery("hush", query).Should().Be("700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf");
        ShopifyHmac.VerifyQuery("hush", query.Append(new("hmac", "x")), "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf").Should().BeTrue();
    }

    [Theory]
    [InlineData("shop.myshopify.com", true)]
    [InlineData("my-shop-2.myshopify.com", true)]
    [InlineData("evil.com", false)]
    [InlineData("shop.myshopify.com.evil.com", false)]
    [InlineData("-shop.myshopify.com", false)]
    [InlineData("shop.myshopify.com/admin", false)]
    public void Only_myshopify_domains_are_shops(string domain, bool valid) => ShopifyHmac.IsValidShopDomain(domain).Should().Be(valid);
}
