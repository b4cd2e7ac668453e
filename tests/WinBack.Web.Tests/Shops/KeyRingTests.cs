using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Shops;

namespace WinBack.Web.Tests.Shops;

public sealed class KeyRingTests
{
    [Fact]
    public async Task With_a_certificate_the_keys_that_encrypt_shop_tokens_are_stored_encrypted_and_still_decrypt_tokens()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=WinBack key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await using var app = await WinBackApp.StartAsync("keyring", settings: new Dictionary<string, string>
        {
            ["KeyRing:Certificate"] = Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, "pfx-password")),
            ["KeyRing:CertificatePassword"] = "pfx-password",
        });

        var ciphertext = app.Services.GetRequiredService<ShopTokenProtector>().Protect("shpat_secret_token");

        await using var db = app.CreateDbContext();
        var stored = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
        stored.Should().NotBeEmpty().And.OnlyContain(xml => xml.Contains("encryptedSecret") && !xml.Contains("<value>"),
            "a copy of the database alone must not hold the key in plain text");
        ciphertext.Should().NotContain("shpat_secret_token");
        app.Services.GetRequiredService<ShopTokenProtector>().Unprotect(ciphertext).Should().Be("shpat_secret_token");
    }
}
