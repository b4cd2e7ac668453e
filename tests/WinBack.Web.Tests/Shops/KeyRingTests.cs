using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Shops;

namespace WinBack.Web.Tests.Shops;

public sealed class KeyRingTests
{
    /// <summary>The app with a new self-signed certificate for its key ring.</summary>
    private static async Task<WinBackApp> StartWithCertificateAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=WinBack key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return await WinBackApp.StartAsync("keyring", settings: new Dictionary<string, string>
        {
            ["KeyRing:Certificate"] = Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, "pfx-password")),
            ["KeyRing:CertificatePassword"] = "pfx-password",
        });
    }

    [Fact]
    public async Task With_a_certificate_the_keys_that_encrypt_shop_tokens_are_stored_encrypted_and_still_decrypt_tokens()
    {
        await using var app = await StartWithCertificateAsync();

        var ciphertext = app.Services.GetRequiredService<ShopTokenProtector>().Protect("shpat_secret_token");

        await using var db = app.CreateDbContext();
        var stored = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
        stored.Should().NotBeEmpty().And.OnlyContain(xml => xml.Contains("encryptedSecret") && !xml.Contains("<value>"),
            "a copy of the database alone must not hold the key in plain text");
        ciphertext.Should().NotContain("shpat_secret_token");
        app.Services.GetRequiredService<ShopTokenProtector>().Unprotect(ciphertext).Should().Be("shpat_secret_token");
    }

    [Fact]
    public async Task A_token_encrypted_before_a_restart_is_decrypted_after_it_with_the_key_read_back_from_the_database()
    {
        await using var app = await StartWithCertificateAsync();
        var ciphertext = app.Services.GetRequiredService<ShopTokenProtector>().Protect("shpat_secret_token");

        // A second host on the same database and settings: its key ring is empty until it reads (and decrypts) the stored keys.
        await using var restarted = app.WithWebHostBuilder(_ => { });

        restarted.Services.GetRequiredService<ShopTokenProtector>().Unprotect(ciphertext).Should().Be("shpat_secret_token");
    }
}
