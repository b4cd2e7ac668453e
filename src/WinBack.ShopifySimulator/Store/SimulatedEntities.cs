namespace WinBack.ShopifySimulator.Store;

public sealed class SimulatedCustomer
{
    public required long Id { get; init; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    /// <summary>SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING or INVALID.</summary>
    public string MarketingState { get; set; } = "NOT_SUBSCRIBED";
    public List<string> Tags { get; set; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SimulatedLineItem
{
    public required long Id { get; init; }
    public long? ProductId { get; init; }
    public required string Title { get; init; }
    public required int Quantity { get; init; }
    /// <summary>Unit price in the shop's currency.</summary>
    public required decimal UnitPrice { get; init; }
}

public sealed class SimulatedRefund
{
    public required long Id { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Refunded amount in the shop's currency.</summary>
    public required decimal Amount { get; init; }
    public string? Note { get; init; }
}

public sealed class SimulatedOrder
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public long? CustomerId { get; set; }
    public string? Email { get; set; }
    public required DateTimeOffset ProcessedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancelReason { get; set; }
    public bool Test { get; init; }
    /// <summary>The currency the buyer paid in; shop money is presentment money divided by <see cref="PresentmentRate"/>.</summary>
    public required string PresentmentCurrency { get; init; }
    public decimal PresentmentRate { get; init; } = 1m;
    public List<SimulatedLineItem> LineItems { get; init; } = [];
    public List<SimulatedRefund> Refunds { get; init; } = [];

    public decimal TotalPrice => LineItems.Sum(li => li.UnitPrice * li.Quantity);

    /// <summary>After refunds, as Shopify's currentTotalPriceSet.</summary>
    public decimal CurrentTotalPrice => Math.Max(0m, TotalPrice - Refunds.Sum(r => r.Amount));

    public decimal InPresentment(decimal shopAmount) => Math.Round(shopAmount * PresentmentRate, 2, MidpointRounding.AwayFromZero);
}

public sealed record SimulatedWebhookSubscription(long Id, string Topic, Uri CallbackUrl);
