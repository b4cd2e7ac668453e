using WinBack.Analytics;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Seeding;

/// <summary>What a generated shop looks like: the same seed and size always give the same shop.</summary>
public sealed record GeneratedShopSpec(int Seed, int Orders, DateTimeOffset Now)
{
    /// <summary>The customers' buying: a typical shop's unless a test or benchmark asks for another.</summary>
    public BuyTillYouDie Buying { get; init; } = BuyTillYouDie.TypicalShop;
}

/// <summary>
/// Fills a simulated shop with realistic, deterministic data. Customers arrive evenly over three years and buy as the
/// buy-till-you-die process says (<see cref="GeneratedShopSpec.Buying"/>: most buy once, rates differ widely, and those
/// who come back stop for good after some order), so the purchase models find real parameters, not their bounds. Around
/// them: guest orders, cancellations, refunds, test orders, several presentment currencies, orders near local midnight,
/// and one account in ten that never buys.
/// </summary>
public static class ShopDataGenerator
{
    private static readonly string[] FirstNames = ["Ann", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hana", "Ines", "Jon", "Kofi", "Lena", "Mia", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wen", "Yuki", "Zoe"];
    private static readonly string[] LastNames = ["Adams", "Berg", "Costa", "Diaz", "Eriksen", "Fox", "García", "Huang", "Iyer", "Jones", "Kim", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Smith", "Tanaka", "Weber"];
    private static readonly (string Title, long ProductId, decimal Price)[] Products =
    [
        ("Coffee beans 1 kg", 9001, 24.00m), ("Espresso cups (set of 4)", 9002, 32.50m), ("Grinder", 9003, 149.00m),
        ("Filter papers", 9004, 6.90m), ("Gift card", 9005, 50.00m), ("Cold brew kit", 9006, 39.95m),
        ("Decaf 500 g", 9007, 14.25m), ("Travel mug", 9008, 22.00m), ("Descaler", 9009, 9.99m), ("Tasting box", 9010, 59.00m),
    ];
    private static readonly (string Currency, decimal Rate)[] Currencies = [("USD", 1m), ("USD", 1m), ("USD", 1m), ("EUR", 0.92m), ("GBP", 0.79m), ("CAD", 1.37m)];

    /// <summary>Adds <see cref="GeneratedShopSpec.Orders"/> orders and their customers to <paramref name="shop"/>.</summary>
    public static void Populate(SimulatedShop shop, SimulatorStore store, GeneratedShopSpec spec)
    {
        var random = new Random(spec.Seed);
        var history = TimeSpan.FromDays(3 * 365);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(shop.IanaTimezone);

        // Customers are drawn until their orders (and one guest checkout in twenty) make the shop's number.
        var drafts = new List<(DateTimeOffset At, int Customer)>(spec.Orders);
        var arrivals = new List<DateTimeOffset>();
        var repeats = new List<double>();
        var guests = spec.Orders / 20;
        while (drafts.Count < spec.Orders - guests)
        {
            var firstAt = spec.Now - history * random.NextDouble();
            spec.Buying.DrawRepeatPurchases(random, (spec.Now - firstAt).TotalDays / 7, repeats);
            var customer = arrivals.Count;
            arrivals.Add(firstAt);
            drafts.Add((NearMidnightSometimes(firstAt, zone, random), customer));
            foreach (var weeks in repeats)
            {
                if (drafts.Count == spec.Orders - guests) break;
                drafts.Add((NearMidnightSometimes(firstAt + TimeSpan.FromDays(weeks * 7), zone, random), customer));
            }
        }
        while (drafts.Count < spec.Orders) drafts.Add((NearMidnightSometimes(spec.Now - history * random.NextDouble(), zone, random), -1));
        drafts.Sort((a, b) => a.At.CompareTo(b.At));

        var customerCount = arrivals.Count + arrivals.Count / 9;
        var firstCustomerId = store.ReserveIds(customerCount);
        var firstOrderId = store.ReserveIds(spec.Orders);
        var firstLineId = store.ReserveIds(spec.Orders * 3);

        lock (shop.Sync)
        {
            shop.EnsureCapacity(shop.Customers.Count + customerCount, shop.Orders.Count + spec.Orders);
            var customers = new SimulatedCustomer[customerCount];
            for (var i = 0; i < customerCount; i++)
            {
                var first = FirstNames[random.Next(FirstNames.Length)];
                var last = LastNames[random.Next(LastNames.Length)];
                // A buyer's account opens up to a month before the first order; the rest never order.
                var createdAt = i < arrivals.Count ? arrivals[i] - TimeSpan.FromDays(30 * random.NextDouble()) : spec.Now - history * random.NextDouble();
                customers[i] = new SimulatedCustomer
                {
                    Id = firstCustomerId + i,
                    FirstName = first,
                    LastName = last,
                    Email = $"{Ascii(first)}.{Ascii(last)}.{i}@example.com",
                    MarketingState = random.NextDouble() < 0.6 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
                    CreatedAt = createdAt,
                    UpdatedAt = createdAt,
                };
                shop.Add(customers[i]);
            }

            var lineId = firstLineId;
            for (var i = 0; i < drafts.Count; i++)
            {
                var (draftAt, customerIndex) = drafts[i];
                var at = draftAt > spec.Now ? spec.Now : draftAt;
                var (currency, rate) = Currencies[random.Next(Currencies.Length)];
                var lines = new List<SimulatedLineItem>(3);
                var lineCount = random.Next(1, 4);
                for (var l = 0; l < lineCount; l++)
                {
                    var product = Products[random.Next(Products.Length)];
                    lines.Add(new SimulatedLineItem { Id = lineId++, ProductId = product.ProductId, Title = product.Title, Quantity = random.Next(1, 4), UnitPrice = product.Price });
                }
                var customer = customerIndex >= 0 ? customers[customerIndex] : null;
                var order = new SimulatedOrder
                {
                    Id = firstOrderId + i,
                    Name = $"#{shop.NextOrderNumber++}",
                    CustomerId = customer?.Id,
                    Email = customer?.Email,
                    ProcessedAt = at,
                    CreatedAt = at,
                    UpdatedAt = at,
                    Test = random.NextDouble() < 0.01,
                    PresentmentCurrency = currency == "USD" ? shop.CurrencyCode : currency,
                    PresentmentRate = currency == "USD" ? 1m : rate,
                    LineItems = lines,
                };
                var roll = random.NextDouble();
                if (roll < 0.03)
                {
                    order.CancelledAt = at.AddHours(random.Next(1, 72));
                    order.CancelReason = "CUSTOMER";
                    order.UpdatedAt = order.CancelledAt.Value;
                }
                else if (roll < 0.08)
                {
                    var refundedAt = at.AddDays(random.Next(1, 30));
                    order.Refunds.Add(new SimulatedRefund { Id = lineId++, CreatedAt = refundedAt, Amount = Math.Round(order.TotalPrice * (decimal)random.NextDouble(), 2) });
                    order.UpdatedAt = refundedAt;
                }
                if (order.UpdatedAt > spec.Now) order.UpdatedAt = spec.Now;
                shop.Add(order);
                if (customer is not null && order.UpdatedAt > customer.UpdatedAt) customer.UpdatedAt = order.UpdatedAt;
            }
        }
    }

    /// <summary>One order in twenty lands within minutes of local midnight: a UTC date and a shop date then differ.</summary>
    private static DateTimeOffset NearMidnightSometimes(DateTimeOffset at, TimeZoneInfo zone, Random random)
    {
        var truncated = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (random.NextDouble() >= 0.05) return truncated;
        var local = TimeZoneInfo.ConvertTime(truncated, zone);
        var midnight = new DateTimeOffset(local.Date.AddDays(1), local.Offset);
        return midnight.AddMinutes(random.Next(-20, 20)).ToUniversalTime();
    }

    private static string Ascii(string name) =>
        new string(name.Normalize(System.Text.NormalizationForm.FormD).Where(char.IsAsciiLetter).ToArray()).ToLowerInvariant();
}
