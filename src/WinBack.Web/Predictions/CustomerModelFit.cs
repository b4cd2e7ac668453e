using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Analytics;
using WinBack.Web.Shops;

namespace WinBack.Web.Predictions;

/// <summary>
/// The latest fit of one shop's models, shown in "About these numbers": when, on how many customers, the parameters,
/// and in words why a model was not fitted (too few repeat customers, data that do not pin it down) or which limiting
/// model the purchase fit tends to (its runaway parameters are then null).
/// </summary>
public sealed class CustomerModelFit
{
    public long ShopId { get; set; }
    public DateTimeOffset FittedAt { get; set; }
    /// <summary>The shop-local date the customers' ages and recencies were measured to.</summary>
    public DateOnly DataThrough { get; set; }
    public int Customers { get; set; }
    public int RepeatCustomers { get; set; }

    // The purchase model's shown parameters, time in weeks (r, α, a, b; for Pareto/NBD r, α, s, β); null when not fitted
    // or where a limiting model leaves them unestimated.
    public double? R { get; set; }
    public double? Alpha { get; set; }
    public double? A { get; set; }
    public double? B { get; set; }
    public double? LogLikelihood { get; set; }
    public string? PurchaseModelNote { get; set; }
    /// <summary>The purchase model that scores the customers ("BG/NBD") and its parameters as fitted, in the model's
    /// order, even where a limit makes them too large to show: a customer rescored between refits uses these.</summary>
    public string? PurchaseModel { get; set; }
    public double[]? PurchaseParameters { get; set; }
    /// <summary>Each parameter's standard error (NaN where a limit leaves it unestimated), in the same order.</summary>
    public double[]? PurchaseStandardErrors { get; set; }
    /// <summary>Why this model scores the shop (PurchaseModelChoice), in a sentence.</summary>
    public string? PurchaseModelChoice { get; set; }
    /// <summary>Customers expected to order at least once in the next 4 and 13 weeks, with 80 % intervals.</summary>
    public double[]? ReturningIn4Weeks { get; set; }
    public double[]? ReturningIn13Weeks { get; set; }
    /// <summary>Where each candidate model's fit ended (none at a limiting model): next week's fit of it starts there.</summary>
    public FitStart[]? CandidateStarts { get; set; }
    /// <summary>The date of the refit whose fits last searched from the models' own starts, not from the week before's ends
    /// (the earliest such date of the candidates'): the refits search afresh at least every <see cref="CustomerPredictionJob.FreshSearchDays"/> days.</summary>
    public DateOnly? StartsSearchedOn { get; set; }

    // Gamma-Gamma (spend per order): its shown parameters, null when not fitted or where the fit is at a limit that leaves
    // them unestimated (the note names the limit).
    public double? P { get; set; }
    public double? Q { get; set; }
    public double? Gamma { get; set; }
    public string? SpendModelNote { get; set; }
    /// <summary>What a customer is expected to spend per order (WinBack.Analytics.OrderValueEstimate): the shop's average
    /// order, and how many of a customer's own orders it counts as (0 or infinity at a limit); null when not fitted. A
    /// customer rescored between refits uses these.</summary>
    public double? SpendShopAverage { get; set; }
    public double? SpendShopAverageOrders { get; set; }

    // Where the refit's RFM quintiles fell (WinBack.Analytics.RfmCutPoints): a customer rescored between refits is scored against these.
    public double[]? RfmRecencyCuts { get; set; }
    public double[]? RfmFrequencyCuts { get; set; }
    public double[]? RfmMonetaryCuts { get; set; }

    /// <summary>Customers who entered and left each RFM group (indexed by <see cref="WinBack.Analytics.RfmSegment"/>) between the
    /// previous refit, measured to <see cref="RfmComparedWith"/>, and this one; null at a shop's first refit.</summary>
    public int[]? RfmMovedIn { get; set; }
    public int[]? RfmMovedOut { get; set; }
    public DateOnly? RfmComparedWith { get; set; }

    public double Seconds { get; set; }
}

internal sealed class CustomerModelFitConfiguration : IEntityTypeConfiguration<CustomerModelFit>
{
    public void Configure(EntityTypeBuilder<CustomerModelFit> fit)
    {
        fit.ToTable("customer_model_fits");
        fit.HasKey(f => f.ShopId);
        fit.HasOne<Shop>().WithMany().HasForeignKey(f => f.ShopId).OnDelete(DeleteBehavior.Cascade);
        fit.Property(f => f.PurchaseModelNote).HasMaxLength(500);
        fit.Property(f => f.SpendModelNote).HasMaxLength(500);
        fit.Property(f => f.PurchaseModel).HasMaxLength(20);
        fit.Property(f => f.PurchaseModelChoice).HasMaxLength(500);
        // A start is a shortcut only: one that cannot be read (a model's start changed shape) is read as none, and the
        // refit searches from the models' own starts.
        fit.Property(f => f.CandidateStarts).HasColumnType("jsonb").HasConversion(
            starts => JsonSerializer.Serialize(starts, JsonSerializerOptions.Web),
            json => ReadStarts(json),
            new ValueComparer<FitStart[]?>((a, b) => ReferenceEquals(a, b), starts => starts == null ? 0 : starts.Length, starts => starts));
    }

    private static FitStart[]? ReadStarts(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<FitStart?[]>(json, JsonSerializerOptions.Web)?.OfType<FitStart>().ToArray();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
