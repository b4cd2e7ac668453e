using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Digests;
using WinBack.Web.Outcomes;
using WinBack.Web.Predictions;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Settings;
using WinBack.Web.Sheets;
using WinBack.Web.ShopifyTags;
using WinBack.Web.Shops;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Data;

/// <summary>WinBack's PostgreSQL database. Every table is keyed by shop first; each entity's mapping sits next to it.</summary>
public sealed class WinBackDbContext(DbContextOptions<WinBackDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Shop> Shops => Set<Shop>();
    public DbSet<ShopSettings> ShopSettings => Set<ShopSettings>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLineItem> OrderLineItems => Set<OrderLineItem>();
    public DbSet<SyncState> SyncStates => Set<SyncState>();
    public DbSet<WebhookReceipt> WebhookReceipts => Set<WebhookReceipt>();
    public DbSet<CustomerDataRequest> CustomerDataRequests => Set<CustomerDataRequest>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<RetentionSnapshot> RetentionSnapshots => Set<RetentionSnapshot>();
    public DbSet<DigestSettings> DigestSettings => Set<DigestSettings>();
    public DbSet<DigestDelivery> DigestDeliveries => Set<DigestDelivery>();
    public DbSet<ScheduledReport> ScheduledReports => Set<ScheduledReport>();
    public DbSet<SheetSync> SheetSyncs => Set<SheetSync>();
    public DbSet<SheetListing> SheetListings => Set<SheetListing>();
    public DbSet<CustomerModelFit> CustomerModelFits => Set<CustomerModelFit>();
    public DbSet<ModelTrackRecord> ModelTrackRecords => Set<ModelTrackRecord>();
    public DbSet<CustomerPrediction> CustomerPredictions => Set<CustomerPrediction>();
    public DbSet<WinBackListing> WinBackListings => Set<WinBackListing>();
    public DbSet<ShopifyTagging> ShopifyTaggings => Set<ShopifyTagging>();
    public DbSet<CustomerTag> CustomerTags => Set<CustomerTag>();
    public DbSet<WinBack.Web.Privacy.RedactedCustomer> RedactedCustomers => Set<WinBack.Web.Privacy.RedactedCustomer>();

    /// <summary>ASP.NET Data Protection keys, shared by every app server (they encrypt the shops' tokens).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(WinBackDbContext).Assembly);
}
