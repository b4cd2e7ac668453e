namespace WinBack.Analytics.Tests.Drawn;

/// <summary>Random draws the tests need: gamma, beta and exponential variables from a seeded <see cref="Random"/>.</summary>
public static class Sampling
{
    /// <summary>Gamma(shape, rate 1) by Marsaglia and Tsang's method; shapes below 1 are boosted by one and scaled back by U^(1/shape).</summary>
    public static double Gamma(Random random, double shape)
    {
        if (shape < 1) return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            if (Math.Log(1 - random.NextDouble()) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    public static double Beta(Random random, double a, double b)
    {
        var x = Gamma(random, a);
        return x / (x + Gamma(random, b));
    }

    /// <summary>An exponential waiting time at <paramref name="rate"/> (infinite at rate 0).</summary>
    public static double Exponential(Random random, double rate) => -Math.Log(1 - random.NextDouble()) / rate;
}
