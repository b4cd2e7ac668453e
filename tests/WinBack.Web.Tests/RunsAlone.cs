namespace WinBack.Web.Tests;

/// <summary>
/// Test classes that run after the parallel ones, with no other test host alive beside them:
/// <c>MetricsTests</c>, because OpenTelemetry listens to meters by name across the process (other hosts' "WinBack"
/// gauges would be scraped beside this one's; production has one host per process); <c>ShopifyFailurePolicyTests</c>,
/// whose first sync with Hangfire's servers running did not finish in 180 s under the full parallel suite (twice on
/// 2026-12-01) while it takes 9 s alone: the cause is not found yet.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
