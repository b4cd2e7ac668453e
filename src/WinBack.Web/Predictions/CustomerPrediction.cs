using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Analytics;

namespace WinBack.Web.Predictions;

/// <summary>
/// One customer's predictions as of the shop's latest refit (<see cref="CustomerModelFit"/>). A table of its own, with a
/// partition per shop that <see cref="CustomerPredictionJob"/> replaces whole: a refit never locks or rewrites the
/// customers the webhooks update, and the report joins it by key. Null where the models had too little to go on.
/// </summary>
public sealed class CustomerPrediction
{
    public long ShopId { get; set; }
    public long CustomerId { get; set; }
    /// <summary>BG/NBD P(alive), for customers with a repeat order day (with one order the model cannot tell yet).</summary>
    public double? ProbabilityAlive { get; set; }
    /// <summary>The median number of days between the customer's own order days (2+ order days).</summary>
    public double? UsualIntervalDays { get; set; }
    /// <summary>
    /// The day the customer is overdue by their own cycle: the last order date plus <see cref="PredictionTerms.PersonalOverdueFactor"/>
    /// usual intervals (at least <see cref="PredictionTerms.PersonalMinimumDays"/>), in the shop's calendar; null without a usual
    /// interval. Fixed between orders, so the "overdue" sort and the personal-cycle list read it from an index, while
    /// the overdue factor shown beside it depends on today.
    /// </summary>
    public DateOnly? OverdueOn { get; set; }
    /// <summary>
    /// The customer's last qualifying order as scored: their <c>last_order_at</c>, kept with the scores in the same
    /// transaction (named apart, so a statement that joins the two tables reads the customer's without qualifying it).
    /// The lists whose every condition is on the scores (the at-risk list, the RFM and churn-risk filters, the
    /// personal-cycle list) are read from this table alone, in the inactive list's own order (last order, then id).
    /// </summary>
    public DateTimeOffset ScoredLastOrderAt { get; set; }
    /// <summary>The last order date plus the expected gap at the customer's rate if still active, in the shop's calendar.</summary>
    public DateOnly? ExpectedNextOrderOn { get; set; }
    /// <summary>Predicted value of the next 12 months (BG/NBD x Gamma-Gamma, discounted 1 % a month), in the shop currency.</summary>
    public decimal? PredictedValue { get; set; }
    /// <summary>RFM scores as a three-digit number (545 = R5 F4 M5) and their named segment.</summary>
    public short RfmScore { get; set; }
    public RfmSegment RfmSegment { get; set; }
    /// <summary>The RFM group the weekly refit gave (a rescoring between refits leaves it): the next refit counts the moves
    /// between groups against it. Null for a customer first scored between refits.</summary>
    public RfmSegment? RfmSegmentAtRefit { get; set; }
}

internal sealed class CustomerPredictionConfiguration : IEntityTypeConfiguration<CustomerPrediction>
{
    public void Configure(EntityTypeBuilder<CustomerPrediction> prediction)
    {
        prediction.ToTable("customer_predictions");
        prediction.HasKey(p => new { p.ShopId, p.CustomerId });
        // Partitioned by shop (the PredictionsPartitionedByShop migration's SQL; EF cannot express it): a refit builds the
        // shop's scores aside and swaps them in (CustomerPredictionPartitions). No foreign keys: a deleted customer's row is
        // deleted with them (SyncWriter, redaction) or, gone with a sync's merge, by its rescoring; a deleted shop's by the
        // shops_deleted trigger.
        prediction.Property(p => p.PredictedValue).HasPrecision(19, 4);
        prediction.Property(p => p.RfmSegment).HasConversion<short>();
        prediction.Property(p => p.RfmSegmentAtRefit).HasConversion<short?>();
        // Each index leads with what it sorts by and carries shop_id as its last key (a partition holds one shop: a leading
        // shop_id, equal in every entry, slowed each refit's index build). The prediction sorts (InactiveCustomersQuery)
        // walk expression indexes on (the sort value with unknowns coalesced, customer_id, shop_id), created in the
        // PredictionIndexesShopLast migration's SQL (EF cannot express them). By last order, as the customers' inactive
        // index, carrying every column a condition on the scores asks: the at-risk list, the RFM and churn-risk filters and
        // the personal-cycle count are found in this index alone.
        prediction.HasIndex(p => new { p.ScoredLastOrderAt, p.CustomerId, p.ShopId }).HasDatabaseName("ix_customer_predictions_last_order")
            .IncludeProperties(p => new { p.OverdueOn, p.ProbabilityAlive, p.RfmSegment, p.PredictedValue });
    }
}
