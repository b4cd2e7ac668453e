namespace WinBack.Analytics;

public enum RfmSegment
{
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLoseThem,
    Hibernating,
    Lost,
}

/// <summary>A customer's RFM input: days since the last order, number of orders, total spent.</summary>
public readonly record struct RfmInput(long CustomerId, int DaysSinceLastOrder, int Orders, decimal TotalSpent);

public readonly record struct RfmScore(long CustomerId, int Recency, int Frequency, int Monetary, RfmSegment Segment);

/// <summary>
/// RFM scores 1-5 by quintiles within the shop (rank-based, so heavy ties still split into five groups; 5 = most recent,
/// most orders, most spent) and the 11 named segments from an explicit R x FM table (FM = the mean of F and M, in half
/// steps), drawn so that every segment can occur, unlike first-match rule lists (see the reference, §11.1).
/// </summary>
public static class Rfm
{
    // Rows: R = 5..1. Columns: FM = 1, 1.5, 2, ..., 5.
    private static readonly RfmSegment[,] Table =
    {
        { S.New, S.New, S.PotentialLoyalist, S.PotentialLoyalist, S.PotentialLoyalist, S.Loyal, S.Champions, S.Champions, S.Champions },
        { S.Promising, S.Promising, S.PotentialLoyalist, S.PotentialLoyalist, S.PotentialLoyalist, S.Loyal, S.Loyal, S.Champions, S.Champions },
        { S.AboutToSleep, S.AboutToSleep, S.NeedAttention, S.NeedAttention, S.NeedAttention, S.Loyal, S.Loyal, S.Loyal, S.Loyal },
        { S.Hibernating, S.Hibernating, S.Hibernating, S.Hibernating, S.AtRisk, S.AtRisk, S.AtRisk, S.CantLoseThem, S.CantLoseThem },
        { S.Lost, S.Lost, S.Lost, S.Hibernating, S.Hibernating, S.AtRisk, S.AtRisk, S.CantLoseThem, S.CantLoseThem },
    };

    public static RfmSegment SegmentOf(int recency, int frequency, int monetary)
    {
        if (recency is < 1 or > 5 || frequency is < 1 or > 5 || monetary is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(recency), "Scores are 1 to 5.");
        return Table[5 - recency, frequency + monetary - 2];
    }

    public static IReadOnlyList<RfmScore> Score(IReadOnlyList<RfmInput> customers)
    {
        var recency = Quintiles(customers, c => -c.DaysSinceLastOrder);
        var frequency = Quintiles(customers, c => c.Orders);
        var monetary = Quintiles(customers, c => (double)c.TotalSpent);
        return customers.Select((c, i) => new RfmScore(c.CustomerId, recency[i], frequency[i], monetary[i], SegmentOf(recency[i], frequency[i], monetary[i]))).ToList();
    }

    /// <summary>
    /// 1-5 by rank (ties broken by position, as pandas' rank(method="first")), higher value = higher score. Fewer than
    /// five customers cannot fill quintiles: they are spread over 1..5 instead, so the best still scores 5.
    /// </summary>
    private static int[] Quintiles(IReadOnlyList<RfmInput> customers, Func<RfmInput, double> value)
    {
        var n = customers.Count;
        var keys = new double[n];
        for (var i = 0; i < n; i++) keys[i] = value(customers[i]);
        var order = StableOrder.Of(keys);
        var scores = new int[n];
        for (var rank = 0; rank < n; rank++)
            scores[order[rank]] = n >= 5 ? 1 + rank * 5 / n : n == 1 ? 3 : 1 + (int)Math.Round(rank * 4.0 / (n - 1), MidpointRounding.AwayFromZero);
        return scores;
    }
}

file static class S
{
    public const RfmSegment Champions = RfmSegment.Champions, Loyal = RfmSegment.Loyal, PotentialLoyalist = RfmSegment.PotentialLoyalist,
        New = RfmSegment.New, Promising = RfmSegment.Promising, NeedAttention = RfmSegment.NeedAttention, AboutToSleep = RfmSegment.AboutToSleep,
        AtRisk = RfmSegment.AtRisk, CantLoseThem = RfmSegment.CantLoseThem, Hibernating = RfmSegment.Hibernating, Lost = RfmSegment.Lost;
}

/// <summary>
/// Where a refit's quintiles fell, so one customer whose orders changed between refits is scored against the same shop
/// (PRODUCT.md: lists are computed from current data) without ranking everyone again. Each array holds, for scores 1-5,
/// the smallest value that earned it at the refit (NaN where no customer had that score): a customer gets the highest
/// score whose smallest value they reach. Recency is measured to the refit's date, so an order placed since then counts
/// as more recent than any the refit saw.
/// </summary>
public sealed record RfmCutPoints(double[] Recency, double[] Frequency, double[] Monetary)
{
    /// <summary>The cut points of a refit's scores (<paramref name="scores"/> in the order of <paramref name="customers"/>).</summary>
    public static RfmCutPoints Of(IReadOnlyList<RfmInput> customers, IReadOnlyList<RfmScore> scores)
    {
        double[] Lowest(Func<RfmInput, double> value, Func<RfmScore, int> score)
        {
            var lowest = Enumerable.Repeat(double.NaN, 5).ToArray();
            for (var i = 0; i < customers.Count; i++)
            {
                ref var cut = ref lowest[score(scores[i]) - 1];
                var v = value(customers[i]);
                if (double.IsNaN(cut) || v < cut) cut = v;
            }
            return lowest;
        }
        return new RfmCutPoints(
            Lowest(c => -c.DaysSinceLastOrder, s => s.Recency), Lowest(c => c.Orders, s => s.Frequency), Lowest(c => (double)c.TotalSpent, s => s.Monetary));
    }

    /// <summary>One customer's scores against these cut points (days since the last order counted to the refit's date).</summary>
    public RfmScore Score(RfmInput customer)
    {
        int ScoreOf(double[] cuts, double value)
        {
            var score = 0;
            for (var s = 1; s <= 5; s++)
                if (!double.IsNaN(cuts[s - 1]) && (score == 0 || value >= cuts[s - 1])) score = s;
            return score == 0 ? 3 : score;
        }
        var (r, f, m) = (ScoreOf(Recency, -customer.DaysSinceLastOrder), ScoreOf(Frequency, customer.Orders), ScoreOf(Monetary, (double)customer.TotalSpent));
        return new RfmScore(customer.CustomerId, r, f, m, Rfm.SegmentOf(r, f, m));
    }
}
