namespace WinBack.Web.Jobs;

/// <summary>
/// Hangfire queues by kind of work. Webhooks have workers of their own, so no amount of other work (a shop's twenty
/// Sheet syncs, a million-order first sync) delays a shop's orders or a privacy request. Sheet runs have a few workers
/// of their own too: they wait for the one Google quota all shops share, and that wait must not hold up anything else.
/// So have a shop's long runs: its work with Shopify (full syncs, reconciliations, tagging: minutes, mostly waiting for
/// Shopify's export or the shop's cost bucket) and refits (both cores and
/// hundreds of MB for a large shop, and a wait for the shop's scores to be free): however many shops' are under way,
/// they hold only their own workers, and a process never runs more refits at once than its memory allows.
/// Email and everything else share the rest, email first.
/// </summary>
public static class JobQueues
{
    public const string Webhooks = "webhooks";
    public const string Email = "email";
    public const string Default = "default";
    public const string Sheets = "sheets";
    public const string Shopify = "shopify";
    public const string Refits = "refits";

    /// <summary>The general workers' queues, in the order they are served.</summary>
    public static readonly string[] General = [Email, Default];
}
