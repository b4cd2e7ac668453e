using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace WinBack.Web.Outcomes;

/// <summary>
/// The shop's control group (off by default): <see cref="Percent"/> % of customers, chosen at random per customer but
/// stable, whom WinBack leaves out of every list it sends, so their comebacks show what would have happened anyway.
/// Membership is a hash of the shop, the customer and the salt chosen when the merchant first turned the group on: the
/// same customer stays in or out week after week, and no table of members is kept.
/// </summary>
public sealed record ControlGroup(long ShopId, string? Salt)
{
    public const int Percent = 10;

    public static readonly string Why =
        $"WinBack leaves {Percent} % of listed customers out of the Sheet, tags, CSV exports and scheduled exports to measure what win-back earns.";

    public bool IsOn => Salt is not null;

    public bool Holds(long customerId)
    {
        if (Salt is null) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{ShopId}:{customerId}:{Salt}"), hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash) % 100 < Percent;
    }

    /// <summary>A fresh salt, chosen once per shop when the group is first turned on.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
