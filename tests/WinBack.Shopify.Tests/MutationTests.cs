using System.Text.Json;

namespace WinBack.Shopify.Tests;

/// <summary>Tests and demos change a shop the Shopify way; these check that the mutations do what a real store does.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class MutationTests(SimulatorFixture fixture)
{
    [Fact]
    public async Task Cancelling_and_refunding_change_the_current_total_and_a_customer_with_orders_cannot_be_deleted()
    {
        var shop = await fixture.InstallShopAsync();
        var client = fixture.Client();

        var customer = await client.ExecuteAsync<JsonElement>(shop,
            """mutation { customerCreate(input: { firstName: "Ann", lastName: "Lee", email: "ann@example.com" }) { customer { id } userErrors { message } } }""");
        var customerId = customer.Data.GetProperty("customerCreate").GetProperty("customer").GetProperty("id").GetString()!;

        async Task<string> CreateOrderAsync(string amount) => (await client.ExecuteAsync<JsonElement>(shop,
            """
            mutation($customer: ID!, $amount: Decimal!) { orderCreate(order: { customerId: $customer, processedAt: "2026-09-01T12:00:00Z",
              lineItems: [{ title: "Beans", quantity: 1, priceSet: { shopMoney: { amount: $amount, currencyCode: USD } } }] }) {
              order { id } userErrors { message } } }
            """, new { customer = customerId, amount })).Data.GetProperty("orderCreate").GetProperty("order").GetProperty("id").GetString()!;

        var refunded = await CreateOrderAsync("80.00");
        var cancelled = await CreateOrderAsync("20.00");

        var refund = await client.ExecuteAsync<JsonElement>(shop,
            """mutation($order: ID!) { refundCreate(input: { orderId: $order, transactions: [{ amount: "30.00", kind: REFUND, gateway: "manual", orderId: $order }] }) { refund { id } userErrors { message } } }""",
            new { order = refunded });
        refund.Data.GetProperty("refundCreate").GetProperty("userErrors").GetArrayLength().Should().Be(0);
        await client.ExecuteAsync<JsonElement>(shop,
            """mutation($order: ID!) { orderCancel(orderId: $order, reason: CUSTOMER, refund: false, restock: false) { orderCancelUserErrors { message } } }""",
            new { order = cancelled });

        var orders = await client.GetOrdersPageAsync(shop, null);
        orders.Nodes.Single(o => o.Id == refunded).CurrentTotalPriceSet.ShopMoney.Amount.Should().Be(50m);
        orders.Nodes.Single(o => o.Id == cancelled).CancelledAt.Should().NotBeNull();

        var delete = await client.ExecuteAsync<JsonElement>(shop,
            """mutation($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId userErrors { message } } }""", new { id = customerId });
        delete.Data.GetProperty("customerDelete").GetProperty("deletedCustomerId").ValueKind.Should().Be(JsonValueKind.Null);
        delete.Data.GetProperty("customerDelete").GetProperty("userErrors")[0].GetProperty("message").GetString().Should().Contain("orders");
    }

    [Fact]
    public async Task A_duplicate_email_is_a_user_error_not_a_second_customer()
    {
        var shop = await fixture.InstallShopAsync();
        var client = fixture.Client();
        const string create = """mutation { customerCreate(input: { email: "same@example.com" }) { customer { id } userErrors { message code } } }""";

        await client.ExecuteAsync<JsonElement>(shop, create);
        var second = await client.ExecuteAsync<JsonElement>(shop, create);

        second.Data.GetProperty("customerCreate").GetProperty("userErrors")[0].GetProperty("code").GetString().Should().Be("TAKEN");
        (await client.GetCustomersPageAsync(shop, null)).Nodes.Should().ContainSingle();
    }

    [Fact]
    public async Task An_unknown_field_is_reported_as_undefined_with_no_data()
    {
        var shop = await fixture.InstallShopAsync();
        var act = () => fixture.Client().ExecuteAsync<JsonElement>(shop, "{ shop { name favouriteColour } }");
        var thrown = await act.Should().ThrowAsync<ShopifyGraphQLException>();
        thrown.Which.Errors.Should().ContainSingle(e => e.Code == "undefinedField" && e.Message.Contains("favouriteColour"));
    }

    [Fact]
    public async Task Tags_need_write_customers_which_the_merchant_grants_as_an_optional_scope()
    {
        var shop = await fixture.InstallShopAsync();
        var client = fixture.Client();
        var created = await client.ExecuteAsync<JsonElement>(shop,
            """mutation { customerCreate(input: { firstName: "Tia", email: "tia@example.com", tags: ["vip"] }) { customer { id } } }""");
        var gid = created.Data.GetProperty("customerCreate").GetProperty("customer").GetProperty("id").GetString()!;
        var id = long.Parse(gid[(gid.LastIndexOf('/') + 1)..]);

        (await client.GetGrantedScopesAsync(shop)).Should().NotContain("write_customers");
        var denied = async () => await client.AddCustomerTagsAsync(shop, id, ["winback:high-value-long"]);
        (await denied.Should().ThrowAsync<ShopifyGraphQLException>()).Which.Errors.Should().Contain(e => e.Code == "ACCESS_DENIED");

        var simulated = fixture.Simulator.Runtime.Store.Find(shop.ShopDomain)!;
        ShopifySimulator.Admin.ShopLifecycle.Grant(simulated, ["write_customers", "write_products"]);
        (await client.GetGrantedScopesAsync(shop)).Should().Contain("write_customers").And.NotContain("write_products", "only declared optional scopes can be granted");
        await client.AddCustomerTagsAsync(shop, id, ["winback:high-value-long"]);
        await client.AddCustomerTagsAsync(shop, id, ["WINBACK:high-value-long"]);
        lock (simulated.Sync) simulated.FindCustomer(id)!.Tags.Should().Equal(["vip", "winback:high-value-long"], "tags are compared without case");
        await client.RemoveCustomerTagsAsync(shop, id, ["winback:high-value-long"]);
        lock (simulated.Sync) simulated.FindCustomer(id)!.Tags.Should().Equal("vip");
    }
}
