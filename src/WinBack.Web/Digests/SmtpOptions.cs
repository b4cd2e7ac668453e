using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace WinBack.Web.Digests;

/// <summary>The SMTP server WinBack sends through (section "Smtp").</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    [Required(ErrorMessage = "Set Smtp:Host to the SMTP server that sends WinBack's emails.")]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessage = "Smtp:Port is a TCP port (587 for STARTTLS, 465 for implicit TLS).")]
    public int Port { get; set; } = 587;

    /// <summary>StartTls (587), SslOnConnect (465, implicit TLS), StartTlsWhenAvailable, Auto, or None (local test servers only).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    public string? Username { get; set; }
    public string? Password { get; set; }

    [Required(ErrorMessage = "Set Smtp:From to the address digests come from, e.g. WinBack <digest@winback.example.com>.")]
    public string From { get; set; } = "";

    /// <summary>The domain of generated Message-Ids.</summary>
    public string MessageIdDomain { get; set; } = "winback.app";
}
