using Hangfire.States;
using WinBack.Shopify;
using WinBack.Web.Shops;

namespace WinBack.Web.Jobs;

/// <summary>
/// One policy for every job that calls Shopify, applied where Hangfire decides a failed job's next state (before any
/// retry attribute): a refused token (401) marks the shop for re-authorization and the job stops, since no retry can
/// succeed before the merchant's next embedded load gets a new token; a shop WinBack may not call stops the same way;
/// a throttled call is tried again when Shopify said; an unavailable (frozen, paused) store is skipped, its dispatcher
/// comes back to it on its next round.
/// </summary>
public sealed class ShopifyFailurePolicy(IServiceScopeFactory scopes, ILogger<ShopifyFailurePolicy> logger) : IElectStateFilter
{
    public void OnStateElection(ElectStateContext context)
    {
        // A job that could not be loaded (its type or method gone in a later version) did not call Shopify: Hangfire's own
        // retry and failure handling take it as they find it.
        if (context.CandidateState is not FailedState failed || context.BackgroundJob.Job is null) return;
        var job = $"{context.BackgroundJob.Job.Type.Name}.{context.BackgroundJob.Job.Method.Name}";
        switch (failed.Exception)
        {
            case ShopifyUnauthorizedException refused:
                MarkNeedsReauthorization(refused);
                logger.LogWarning("{Job} stopped: Shopify refused the token of {Shop}; the shop needs re-authorization", job, refused.ShopDomain);
                context.CandidateState = new DeletedState { Reason = $"Shopify refused the token of {refused.ShopDomain}; the merchant must open WinBack again." };
                break;
            case ShopNotAuthorizedException notAuthorized:
                logger.LogInformation("{Job} stopped: {Reason}", job, notAuthorized.Message);
                context.CandidateState = new DeletedState { Reason = notAuthorized.Message };
                break;
            case ShopifyThrottledException throttled:
                context.CandidateState = new ScheduledState(throttled.RetryAfter + TimeSpan.FromSeconds(1)) { Reason = "Throttled by Shopify; tried again when it allows." };
                break;
            case ShopifyShopUnavailableException unavailable:
                logger.LogInformation("{Job} skipped: {Reason}", job, unavailable.Message);
                context.CandidateState = new DeletedState { Reason = $"The store is unavailable: {unavailable.Message}" };
                break;
        }
    }

    // Hangfire elects states synchronously, on a worker thread with no synchronization context to deadlock.
    private void MarkNeedsReauthorization(ShopifyUnauthorizedException refused)
    {
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<ShopAccessTokens>().MarkNeedsReauthorizationAsync(refused, CancellationToken.None).GetAwaiter().GetResult();
    }
}
