using Microsoft.AspNetCore.DataProtection;

namespace WinBack.Web.Shops;

/// <summary>Encrypts shops' access and refresh tokens for storage (ASP.NET Data Protection, keys in PostgreSQL).</summary>
public sealed class ShopTokenProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("WinBack.Shops.Tokens.v1");

    public string Protect(string token) => _protector.Protect(token);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}
