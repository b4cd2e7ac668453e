using System.Text.RegularExpressions;
using WinBack.Web.Shops;

namespace WinBack.Web.Tests.Hosting;

public sealed class AppConfigurationTests
{
    private static string Toml() => File.ReadAllText(Path.Combine(Repository.Root(), "shopify.app.toml"));

    [Fact]
    public void The_partner_app_configuration_asks_for_the_scopes_and_topics_the_app_uses()
    {
        var toml = Toml();
        Regex.Match(toml, "scopes = \"([^\"]+)\"").Groups[1].Value.Split(',').Should().BeEquivalentTo(["read_customers", "read_orders", "read_all_orders"]);
        foreach (var topic in ShopInstaller.WebhookTopics)
            toml.Should().Contain($"\"{Rest(topic)}\"", $"the app subscribes to {topic} when it installs");
        toml.Should().Contain("compliance_topics = [\"customers/data_request\", \"customers/redact\", \"shop/redact\"]");
    }

    // ORDERS_CREATE -> orders/create; BULK_OPERATIONS_FINISH -> bulk_operations/finish.
    private static string Rest(string topic)
    {
        var last = topic.LastIndexOf('_');
        return $"{topic[..last].ToLowerInvariant()}/{topic[(last + 1)..].ToLowerInvariant()}";
    }
}
