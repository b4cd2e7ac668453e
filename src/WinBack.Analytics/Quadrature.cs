namespace WinBack.Analytics;

/// <summary>Adaptive Gauss-Kronrod (7-15 points, QUADPACK's constants): bisects where the two rules disagree.</summary>
internal static class Quadrature
{
    private static readonly double[] Nodes =
    [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0,
    ];

    private static readonly double[] KronrodWeights =
    [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ];

    /// <summary>The 7-point Gauss weights, for the nodes 1, 3, 5 and 7 of <see cref="Nodes"/>.</summary>
    private static readonly double[] GaussWeights = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

    /// <summary>
    /// ∫ f from <paramref name="from"/> to <paramref name="to"/> for a smooth f of moderate size (scale it first): a piece is
    /// kept when its 15- and 7-point values agree to <paramref name="tolerance"/> of the largest piece seen so far (the
    /// 15-point value is then good to far more), else halved, down to 2⁻⁴⁰ of the range.
    /// </summary>
    public static double Integrate(Func<double, double> f, double from, double to, double tolerance = 1e-10)
    {
        var (total, reference) = (0.0, 0.0);
        var pending = new Stack<(double From, double To, int Depth)>();
        pending.Push((from, to, 0));
        while (pending.TryPop(out var piece))
        {
            var (kronrod, gauss) = Rule(f, piece.From, piece.To);
            reference = Math.Max(reference, Math.Abs(kronrod));
            if (Math.Abs(kronrod - gauss) <= tolerance * reference || piece.Depth >= 40)
            {
                total += kronrod;
                continue;
            }
            var middle = (piece.From + piece.To) / 2;
            pending.Push((piece.From, middle, piece.Depth + 1));
            pending.Push((middle, piece.To, piece.Depth + 1));
        }
        return total;
    }

    private static (double Kronrod, double Gauss) Rule(Func<double, double> f, double from, double to)
    {
        var (centre, half) = ((from + to) / 2, (to - from) / 2);
        var middle = f(centre);
        var (kronrod, gauss) = (KronrodWeights[7] * middle, GaussWeights[3] * middle);
        for (var i = 0; i < 7; i++)
        {
            var pair = f(centre - half * Nodes[i]) + f(centre + half * Nodes[i]);
            kronrod += KronrodWeights[i] * pair;
            if (i % 2 == 1) gauss += GaussWeights[i / 2] * pair;
        }
        return (kronrod * half, gauss * half);
    }
}
