using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator.Bulk;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.ShopifySimulator;

/// <summary>The simulator's shared parts, handed to resolvers and endpoints together.</summary>
public sealed class SimulatorRuntime(
    SimulatorStore store,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    WebhookDispatcher webhooks,
    BulkOperationRunner bulk)
{
    public SimulatorStore Store { get; } = store;
    public SimulatorOptions Options { get; } = options.Value;
    public TimeProvider Time { get; } = time;
    public WebhookDispatcher Webhooks { get; } = webhooks;
    public BulkOperationRunner Bulk { get; } = bulk;
}
