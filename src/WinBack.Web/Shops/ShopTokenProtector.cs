using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace WinBack.Web.Shops;

/// <summary>
/// The certificate that encrypts Data Protection's key ring where it is stored (PostgreSQL). Without one, the keys that
/// encrypt shop tokens lie in plain text in the same database as the tokens, and a copy of the database is enough to
/// read them; with one, an attacker also needs the certificate, which lives in the app's secrets, not in the database.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "KeyRing";

    /// <summary>A PKCS#12 (.pfx) file with an RSA key, base64-encoded.</summary>
    public string? Certificate { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Runs without a certificate outside Development, knowingly: a copy of the database then yields every shop's tokens.</summary>
    public bool AllowUnencrypted { get; set; }

    public const string MissingCertificate =
        "Set KeyRing:Certificate to a base64 PKCS#12 (.pfx) with an RSA key: without it a copy of the database yields every shop's tokens. " +
        "To run without one knowingly (a test or demo database), set KeyRing:AllowUnencrypted=true.";

    public X509Certificate2? Load() => string.IsNullOrEmpty(Certificate)
        ? null
        : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(Certificate), CertificatePassword);
}

/// <summary>Encrypts shops' access and refresh tokens for storage (ASP.NET Data Protection, keys in PostgreSQL).</summary>
public sealed class ShopTokenProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("WinBack.Shops.Tokens.v1");

    public string Protect(string token) => _protector.Protect(token);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}
