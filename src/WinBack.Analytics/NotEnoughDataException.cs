namespace WinBack.Analytics;

/// <summary>Too few, or too uniform, customers for a model: the product shows "not enough data" instead of a number.</summary>
public sealed class NotEnoughDataException(string message) : Exception(message);

