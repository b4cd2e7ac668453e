using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace WinBack.Web.Digests;

/// <summary>Sends a message over SMTP with MailKit: TLS as configured, authenticated when credentials are set.</summary>
public sealed class DigestMailer(IOptions<SmtpOptions> options)
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);
    public string MessageIdDomain => options.Value.MessageIdDomain;
}
