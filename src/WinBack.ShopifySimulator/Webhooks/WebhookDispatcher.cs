using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Webhooks;

/// <summary>One delivery attempt, kept so tests and the operator can see what Shopify would have sent and how the app answered.</summary>
public sealed record WebhookAttempt(string WebhookId, string Topic, string ShopDomain, Uri Url, int Attempt, int? StatusCode, string? Error, DateTimeOffset At);

/// <summary>
/// Delivers webhooks the way Shopify does: signed with the app secret, every header, 5 s timeout, and retries with exponential
/// backoff (8 over about 4 hours) on the injected clock, so a test can move time forward instead of waiting.
/// </summary>
public sealed class WebhookDispatcher(IHttpClientFactory httpClients, IOptions<SimulatorOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
{
    public const string ApiVersion = "2026-01";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null };

    private readonly object _sync = new();
    private readonly List<PendingDelivery> _pending = [];
    private readonly List<WebhookAttempt> _attempts = [];
    private readonly SemaphoreSlim _signal = new(0);
    private int _inFlight;
    private readonly SimulatorOptions _options = options.Value;

    private sealed record PendingDelivery(string WebhookId, string EventId, string Topic, string ShopDomain, Uri Url, byte[] Body, DateTimeOffset TriggeredAt)
    {
        public int Attempt { get; set; }
        public DateTimeOffset DueAt { get; set; }
    }

    public IReadOnlyList<WebhookAttempt> Attempts
    {
        get { lock (_sync) return _attempts.ToList(); }
    }

    public int PendingCount
    {
        get { lock (_sync) return _pending.Count; }
    }

    /// <summary>Queues <paramref name="topic"/> for every subscription of the shop (API-created and app-specific ones).</summary>
    public void Publish(SimulatedShop shop, string topic, object payload)
    {
        if (shop.Installation is not { IsInstalled: true } && topic != WebhookTopics.AppUninstalled) return;
        var urls = shop.WebhookSubscriptions.Where(s => s.Topic == topic).Select(s => s.CallbackUrl).ToList();
        if (_options.AppWebhookUrl is { } appUrl && _options.AppWebhookTopics.Contains(topic) && !urls.Contains(appUrl)) urls.Add(appUrl);
        Enqueue(shop.Domain, topic, payload, urls);
    }

    /// <summary>The mandatory compliance topics go to the URL configured for the app, not to API subscriptions.</summary>
    public void PublishCompliance(SimulatedShop shop, string topic, object payload)
    {
        if (_options.ComplianceWebhookUrl is { } url) Enqueue(shop.Domain, topic, payload, [url]);
    }

    private void Enqueue(string shopDomain, string topic, object payload, IReadOnlyList<Uri> urls)
    {
        if (urls.Count == 0) return;
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        var eventId = Guid.NewGuid().ToString();
        var now = time.GetUtcNow();
        lock (_sync)
        {
            foreach (var url in urls)
                _pending.Add(new PendingDelivery(Guid.NewGuid().ToString(), eventId, topic, shopDomain, url, body, now) { DueAt = now });
        }
        _signal.Release();
    }

    /// <summary>Sends every delivery that is due now; failures are rescheduled with backoff until the retries run out.</summary>
    public async Task DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        List<PendingDelivery> due;
        lock (_sync)
        {
            var now = time.GetUtcNow();
            due = _pending.Where(p => p.DueAt <= now).ToList();
            foreach (var d in due) _pending.Remove(d);
            _inFlight += due.Count;
        }
        await Task.WhenAll(due.Select(d => DeliverAsync(d, cancellationToken)));
    }

    /// <summary>Waits until nothing is due or on its way any more, whoever sends it (tests call it after a mutation).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await DeliverDueAsync(cancellationToken);
            lock (_sync)
            {
                var now = time.GetUtcNow();
                if (_inFlight == 0 && !_pending.Any(p => p.DueAt <= now)) return;
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Waits for new work or the next poll; the background service calls it in a loop.</summary>
    public Task WaitForWorkAsync(TimeSpan poll, CancellationToken cancellationToken) => _signal.WaitAsync(poll, cancellationToken);

    private async Task DeliverAsync(PendingDelivery delivery, CancellationToken cancellationToken)
    {
        delivery.Attempt++;
        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Shopify-Topic", delivery.Topic);
            request.Headers.Add("X-Shopify-Hmac-Sha256", Sign(delivery.Body));
            request.Headers.Add("X-Shopify-Shop-Domain", delivery.ShopDomain);
            request.Headers.Add("X-Shopify-API-Version", ApiVersion);
            request.Headers.Add("X-Shopify-Webhook-Id", delivery.WebhookId);
            request.Headers.Add("X-Shopify-Event-Id", delivery.EventId);
            request.Headers.Add("X-Shopify-Triggered-At", delivery.TriggeredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Shopify-Test", "false");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.WebhookTimeout);
            using var response = await httpClients.CreateClient(nameof(WebhookDispatcher)).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No response within {_options.WebhookTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }

        var succeeded = status is >= 200 and < 300;
        lock (_sync)
        {
            _inFlight--;
            _attempts.Add(new WebhookAttempt(delivery.WebhookId, delivery.Topic, delivery.ShopDomain, delivery.Url, delivery.Attempt, status, error, time.GetUtcNow()));
            if (!succeeded && delivery.Attempt <= _options.WebhookMaxRetries)
            {
                delivery.DueAt = time.GetUtcNow() + _options.WebhookRetryBaseDelay * Math.Pow(2, delivery.Attempt - 1);
                _pending.Add(delivery);
            }
        }
        if (!succeeded)
            logger.LogInformation("Webhook {Topic} to {Url} failed (attempt {Attempt}): {Status} {Error}", delivery.Topic, delivery.Url, delivery.Attempt, status, error);
    }

    private string Sign(byte[] body) => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.ApiSecret), body));
}

/// <summary>Runs deliveries in the background, woken by new webhooks and polling for retries that came due.</summary>
public sealed class WebhookDeliveryService(WebhookDispatcher dispatcher) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await dispatcher.WaitForWorkAsync(TimeSpan.FromMilliseconds(250), stoppingToken);
                await dispatcher.DeliverDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
