using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Shops;

/// <summary>A Shopify store that installed WinBack. Tokens are stored encrypted (ASP.NET Data Protection), never in clear.</summary>
public sealed class Shop
{
    public long Id { get; set; }
    /// <summary>The myshopify domain, e.g. "acme.myshopify.com": Shopify's stable name for the shop.</summary>
    public required string Domain { get; set; }
    public string? Name { get; set; }
    /// <summary>ISO 4217 code of the shop currency; every amount WinBack stores is in it.</summary>
    public string? CurrencyCode { get; set; }
    /// <summary>IANA zone ("Europe/Berlin"): dates, weeks and schedules are computed in it.</summary>
    public string? IanaTimezone { get; set; }
    public string? AccessTokenCiphertext { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public string? RefreshTokenCiphertext { get; set; }
    public DateTimeOffset? RefreshTokenExpiresAt { get; set; }
    public string Scopes { get; set; } = "";
    public DateTimeOffset InstalledAt { get; set; }
    public DateTimeOffset? UninstalledAt { get; set; }
    /// <summary>Set when a token refresh failed: the merchant must open the app again before any sync runs.</summary>
    public bool NeedsReauthorization { get; set; }

    public bool IsInstalled => UninstalledAt is null;
}

internal sealed class ShopConfiguration : IEntityTypeConfiguration<Shop>
{
    public void Configure(EntityTypeBuilder<Shop> shop)
    {
        shop.ToTable("shops");
        shop.HasKey(s => s.Id);
        shop.Property(s => s.Id).UseIdentityAlwaysColumn();
        shop.Property(s => s.Domain).HasMaxLength(255);
        shop.HasIndex(s => s.Domain).IsUnique();
        shop.Property(s => s.Name).HasMaxLength(255);
        shop.Property(s => s.CurrencyCode).HasMaxLength(3).IsFixedLength();
        shop.Property(s => s.IanaTimezone).HasMaxLength(64);
        shop.Property(s => s.Scopes).HasMaxLength(1000);
        shop.Ignore(s => s.IsInstalled);
    }
}
