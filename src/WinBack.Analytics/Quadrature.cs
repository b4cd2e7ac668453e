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
    public static double Integrate(Func<double, double> f, double from, double to, double tolerance = 1e-10) =>
        Integrate((x, values) => values[0] = f(x), 1, from, to, tolerance)[0];

    /// <summary>
    /// The same for <paramref name="components"/> functions evaluated together (<paramref name="f"/> writes them at a point),
    /// on the pieces the first one needs: the derivatives of an integral with the integral itself.
    /// </summary>
    public static double[] Integrate(Action<double, double[]> f, int components, double from, double to, double tolerance = 1e-10)
    {
        var (total, reference) = (new double[components], 0.0);
        var pending = new Stack<(double From, double To, int Depth)>();
        pending.Push((from, to, 0));
        var (kronrod, gauss, values) = (new double[components], new double[components], new double[components]);
        while (pending.TryPop(out var piece))
        {
            Rule(f, piece.From, piece.To, kronrod, gauss, values);
            reference = Math.Max(reference, Math.Abs(kronrod[0]));
            if (Math.Abs(kronrod[0] - gauss[0]) <= tolerance * reference || piece.Depth >= 40)
            {
                for (var i = 0; i < components; i++) total[i] += kronrod[i];
                continue;
            }
            var middle = (piece.From + piece.To) / 2;
            pending.Push((piece.From, middle, piece.Depth + 1));
            pending.Push((middle, piece.To, piece.Depth + 1));
        }
        return total;
    }

    private static void Rule(Action<double, double[]> f, double from, double to, double[] kronrod, double[] gauss, double[] values)
    {
        var (centre, half) = ((from + to) / 2, (to - from) / 2);
        f(centre, values);
        for (var c = 0; c < values.Length; c++) (kronrod[c], gauss[c]) = (KronrodWeights[7] * values[c], GaussWeights[3] * values[c]);
        var other = new double[values.Length];
        for (var i = 0; i < 7; i++)
        {
            f(centre - half * Nodes[i], values);
            f(centre + half * Nodes[i], other);
            for (var c = 0; c < values.Length; c++)
            {
                var pair = values[c] + other[c];
                kronrod[c] += KronrodWeights[i] * pair;
                if (i % 2 == 1) gauss[c] += GaussWeights[i / 2] * pair;
            }
        }
        for (var c = 0; c < values.Length; c++) (kronrod[c], gauss[c]) = (kronrod[c] * half, gauss[c] * half);
    }
}
