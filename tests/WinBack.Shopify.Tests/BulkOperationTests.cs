namespace WinBack.Shopify.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class BulkOperationTests(SimulatorFixture fixture)
{
    private const string CustomersWithOrders = """
        { customers { edges { node { id firstName
            orders { edges { node { id processedAt cancelledAt test currentTotalPriceSet { shopMoney { amount currencyCode } } } } } } } } }
        """;

    [Fact]
    public async Task Bulk_result_urls_use_the_public_url_where_the_simulator_runs_in_a_container()
    {
        await using var simulator = await WinBack.ShopifySimulator.SimulatorHost.StartAsync(o => o.PublicUrl = new Uri("http://shopify-simulator:8080/"));

        simulator.Runtime.Bulk.PublicBaseUrl.Should().Be(new Uri("http://shopify-simulator:8080/"), "the app downloads results there, not from the container's own [::]:8080");
    }

    [Fact]
    public async Task A_bulk_query_streams_every_object_with_children_pointing_at_their_parent()
    {
        var shop = await fixture.InstallShopAsync(orders: 2_000, seed: 7);
        var simulated = fixture.Simulator.Runtime.Store.Find(shop.ShopDomain)!;
        var client = fixture.Client();

        var started = await client.StartBulkQueryAsync(shop, CustomersWithOrders);
        started.Status.Should().BeOneOf(BulkOperationStatus.Created, BulkOperationStatus.Running);

        var operation = await PollUntilDoneAsync(client, shop, started.Id);
        operation.Status.Should().Be(BulkOperationStatus.Completed);

        var customers = new HashSet<string>();
        var children = 0;
        await foreach (var line in new BulkResultReader(new HttpClient()).ReadLinesAsync(new Uri(operation.Url!)))
        {
            if (BulkResultReader.ParentId(line) is { } parent)
            {
                customers.Should().Contain(parent, "a parent line comes before its children");
                line.GetProperty("id").GetString().Should().StartWith("gid://shopify/Order/");
                children++;
            }
            else
            {
                customers.Add(line.GetProperty("id").GetString()!);
            }
        }

        customers.Should().HaveCount(simulated.Customers.Count);
        children.Should().Be(simulated.Orders.Count(o => o.CustomerId is not null && !o.Test));
        operation.ObjectCount.Should().Be(customers.Count + children);
        operation.RootObjectCount.Should().Be(customers.Count);

        var reader = new BulkResultReader(new HttpClient());
        var topLevel = 0;
        await foreach (var line in reader.ReadLinesAsync(new Uri(operation.Url!), BulkLines.TopLevel))
        {
            BulkResultReader.ParentId(line).Should().BeNull();
            topLevel++;
        }
        var nested = 0;
        await foreach (var line in reader.ReadLinesAsync(new Uri(operation.Url!), BulkLines.Nested))
        {
            BulkResultReader.ParentId(line).Should().NotBeNull();
            nested++;
        }
        (topLevel, nested).Should().Be((customers.Count, children));
    }

    [Fact]
    public async Task A_bulk_query_deeper_than_two_connections_is_refused_with_a_user_error()
    {
        var shop = await fixture.InstallShopAsync();
        var act = () => fixture.Client().StartBulkQueryAsync(shop,
            "{ customers { edges { node { orders { edges { node { lineItems { edges { node { id } } } } } } } } } }");
        var thrown = await act.Should().ThrowAsync<ShopifyUserErrorsException>();
        thrown.Which.UserErrors.Should().ContainSingle(e => e.Code == "INVALID");
    }

    [Fact]
    public async Task A_tampered_download_link_is_refused()
    {
        var shop = await fixture.InstallShopAsync(orders: 20);
        var client = fixture.Client();
        var operation = await PollUntilDoneAsync(client, shop, (await client.StartBulkQueryAsync(shop, "{ orders { edges { node { id } } } }")).Id);

        var tampered = new Uri(operation.Url!.Replace("signature=", "signature=0", StringComparison.Ordinal));
        var act = async () => { await foreach (var _ in new BulkResultReader(new HttpClient()).ReadLinesAsync(tampered)) { } };
        await act.Should().ThrowAsync<ShopifyApiException>();
    }

    private static async Task<BulkOperation> PollUntilDoneAsync(ShopifyGraphQLClient client, ShopifyCredentials shop, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var operation = await client.GetBulkOperationAsync(shop, id);
            if (operation!.Status is not (BulkOperationStatus.Created or BulkOperationStatus.Running)) return operation;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The bulk operation did not finish.");
            await Task.Delay(50);
        }
    }
}
