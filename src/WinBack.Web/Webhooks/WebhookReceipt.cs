using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Webhooks;

/// <summary>Received: waiting (or, with <see cref="WebhookReceipt.NextAttemptAt"/>, waiting to be tried again). Processed: applied.
/// Failed: set aside with its reason (a body that can never be applied, or one that failed every attempt) until an
/// operator replays it.</summary>
public enum WebhookReceiptStatus { Received, Processed, Failed }

/// <summary>
/// One webhook delivery, recorded before any work so a redelivery (same X-Shopify-Webhook-Id) is recognised and
/// a body that could not be processed is kept for inspection instead of lost. Keyed by shop domain, because
/// compliance webhooks can arrive for a shop WinBack no longer has.
/// </summary>
public sealed class WebhookReceipt
{
    public required string ShopDomain { get; set; }
    public required string WebhookId { get; set; }
    public string? EventId { get; set; }
    public required string Topic { get; set; }
    public string? ApiVersion { get; set; }
    public DateTimeOffset? TriggeredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Payload { get; set; }
    public WebhookReceiptStatus Status { get; set; } = WebhookReceiptStatus.Received;
    public string? Error { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    /// <summary>Failed attempts so far; at <see cref="WebhookProcessingJob.MaxAttempts"/> the delivery is set aside.</summary>
    public int Attempts { get; set; }
    /// <summary>After a failed attempt, the delivery is not claimed again before this time.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
}

internal sealed class WebhookReceiptConfiguration : IEntityTypeConfiguration<WebhookReceipt>
{
    public void Configure(EntityTypeBuilder<WebhookReceipt> receipt)
    {
        receipt.ToTable("webhook_receipts");
        receipt.HasKey(r => new { r.ShopDomain, r.WebhookId });
        receipt.Property(r => r.ShopDomain).HasMaxLength(255);
        receipt.Property(r => r.WebhookId).HasMaxLength(64);
        receipt.Property(r => r.EventId).HasMaxLength(64);
        receipt.Property(r => r.Topic).HasMaxLength(64);
        receipt.Property(r => r.ApiVersion).HasMaxLength(16);
        // text, not jsonb: a body that is not valid JSON must still be kept.
        receipt.Property(r => r.Payload).HasColumnType("text");
        receipt.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        receipt.Property(r => r.Error).HasMaxLength(2000);
        receipt.HasIndex(r => new { r.ShopDomain, r.EventId }).HasDatabaseName("ix_webhook_receipts_event");
        receipt.HasIndex(r => r.ReceivedAt).HasDatabaseName("ix_webhook_receipts_pending").HasFilter("status = 'Received'");
    }
}
