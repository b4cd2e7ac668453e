using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace WinBack.Web.Digests;

/// <summary>Sends a message over SMTP with MailKit: TLS as configured, authenticated when credentials are set.</summary>
public sealed class DigestMailer(IOptions<SmtpOptions> options, ILogger<DigestMailer> logger)
{
    /// <summary>
    /// Sends <paramref name="message"/> and awaits <paramref name="whenAccepted"/> as soon as the server has accepted it
    /// (its reply to DATA), before QUIT. A failure after that, in QUIT or the disconnect, is logged and not thrown: the
    /// server has the message.
    /// </summary>
    public async Task SendAsync(MimeMessage message, Func<Task> whenAccepted, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await whenAccepted();
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogInformation("The mail server accepted message {MessageId}; the disconnect after it failed: {Error}", message.MessageId, e.Message);
        }
    }

    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);
    public string MessageIdDomain => options.Value.MessageIdDomain;
}
