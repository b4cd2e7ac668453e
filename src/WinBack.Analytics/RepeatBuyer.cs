namespace WinBack.Analytics;

/// <summary>
/// A customer as the models see them (Fader, Hardie &amp; Lee's notation): <see cref="Frequency"/> x = repeat purchases,
/// <see cref="Recency"/> t_x = time from the first to the last purchase, <see cref="Age"/> T = time from the first
/// purchase to now, all in the same unit (WinBack uses weeks). <see cref="AverageRepeatValue"/> is the mean value of the
/// repeat purchases (the first excluded), for Gamma-Gamma.
/// </summary>
public readonly record struct RepeatBuyer(int Frequency, double Recency, double Age, double AverageRepeatValue = 0);
