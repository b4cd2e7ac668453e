using System.ComponentModel.DataAnnotations;

namespace WinBack.Web.ShopifyTags;

/// <summary>How the customer tags are written (section <c>ShopifyTags</c>).</summary>
public sealed class ShopifyTagsOptions
{
    public const string SectionName = "ShopifyTags";

    /// <summary>
    /// Tag changes written to Shopify in one run (each costs Admin API points, at most a few a second); the rest follow
    /// in the next run, queued at once, so a large shop's first tagging neither hogs a job worker nor the shop's API budget.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxChangesPerRun { get; set; } = 3_000;
}
