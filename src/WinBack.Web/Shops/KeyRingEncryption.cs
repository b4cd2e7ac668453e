using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Shops;

/// <summary>
/// Encrypts Data Protection's keys with the <see cref="KeyRingOptions"/> certificate, read from the bound options like every
/// other setting. Data Protection's own certificate set-up wants the certificate while services are registered; this reads
/// it when the key ring is first used, and <see cref="KeyRingDecryptor"/> reads it again to decrypt.
/// </summary>
internal sealed class KeyRingEncryption(IOptions<KeyRingOptions> keyRing, ILoggerFactory loggers) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options)
    {
        if (keyRing.Value.Load() is { } certificate) options.XmlEncryptor = new Encryptor(new CertificateXmlEncryptor(certificate, loggers));
    }

    /// <summary>Encrypts as Data Protection does with a certificate, and names <see cref="KeyRingDecryptor"/> to decrypt.</summary>
    private sealed class Encryptor(CertificateXmlEncryptor certificate) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
            new(certificate.Encrypt(plaintextElement).EncryptedElement, typeof(KeyRingDecryptor));
    }
}

/// <summary>Decrypts a key that <see cref="KeyRingEncryption"/> encrypted, with the private key of the configured certificate.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        using var certificate = services.GetRequiredService<IOptions<KeyRingOptions>>().Value.Load()
            ?? throw new InvalidOperationException(KeyRingOptions.MissingCertificate);
        using var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("KeyRing:Certificate has no RSA private key.");
        // EncryptedXml handles a root element badly: wrap it, decrypt in place, unwrap.
        var document = new XmlDocument();
        document.Load(new XElement("root", encryptedElement).CreateReader());
        new WithKey(document, key).DecryptDocument();
        return XElement.Load(document.DocumentElement!.FirstChild!.CreateNavigator()!.ReadSubtree());
    }

    /// <summary>Takes the session key with the certificate's private key, not from a certificate store (there is none in a container).</summary>
    private sealed class WithKey(XmlDocument document, RSA key) : EncryptedXml(document)
    {
        public override byte[]? DecryptEncryptedKey(EncryptedKey encryptedKey) =>
            DecryptKey(encryptedKey.CipherData.CipherValue!, key, encryptedKey.EncryptionMethod?.KeyAlgorithm == XmlEncRSAOAEPUrl);
    }
}
