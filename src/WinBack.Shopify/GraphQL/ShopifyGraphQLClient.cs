using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WinBack.Shopify;

/// <summary>
/// Shopify Admin GraphQL over HttpClient. Waits before calls the cost bucket cannot afford, retries THROTTLED,
/// 429 and 503 (honouring Retry-After), and turns every other failure into a typed <see cref="ShopifyApiException"/>.
/// </summary>
public sealed partial class ShopifyGraphQLClient(
    HttpClient http,
    IOptions<ShopifyOptions> options,
    CostBucketTracker bucket,
    TimeProvider time,
    ILogger<ShopifyGraphQLClient> logger)
{
    private const string AccessTokenHeader = "X-Shopify-Access-Token";
    private const string RequestIdHeader = "X-Request-Id";
    private readonly ShopifyOptions _options = options.Value;

    /// <summary>Runs a query or mutation and deserialises its <c>data</c> into <typeparamref name="TData"/>.</summary>
    public async Task<GraphQLResult<TData>> ExecuteAsync<TData>(
        ShopifyCredentials shop, string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A timer can fire a little before the clock says its time is up (a millisecond or so on Linux), and the query
            // would then reach a bucket a point or two short: wait again until the bucket's own clock agrees.
            for (var wait = bucket.WaitBefore(shop.ShopDomain, query); wait > TimeSpan.Zero; wait = bucket.WaitBefore(shop.ShopDomain, query))
            {
                logger.LogDebug("Waiting {Wait} for {Shop}'s cost bucket", wait, shop.ShopDomain);
                await Task.Delay(wait, time, cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, _options.GraphQLUrl(shop.ShopDomain))
            {
                Content = JsonContent.Create(new { query, variables }),
            };
            request.Headers.Add(AccessTokenHeader, shop.AccessToken);
            request.Headers.Accept.ParseAdd("application/json");

            using var response = await http.SendAsync(request, cancellationToken);
            var requestId = response.Headers.TryGetValues(RequestIdHeader, out var ids) ? ids.FirstOrDefault() : null;

            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                var retryAfter = RetryAfter(response) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
                if (attempt >= _options.MaxRetries)
                    throw new ShopifyThrottledException($"Shopify answered {(int)response.StatusCode} {attempt + 1} times.", retryAfter, response.StatusCode, requestId);
                logger.LogInformation("Shopify answered {Status} for {Shop}; retrying in {RetryAfter}", (int)response.StatusCode, shop.ShopDomain, retryAfter);
                await Task.Delay(retryAfter, time, cancellationToken);
                continue;
            }

            ThrowOnHttpFailure(shop.ShopDomain, response.StatusCode, requestId, await ReadErrorBodyAsync(response, cancellationToken));

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var root = document.RootElement;

            var cost = ReadCost(root);
            if (cost is not null) bucket.Observe(shop.ShopDomain, query, cost);

            var errors = ReadErrors(root);
            var throttled = errors.Any(e => e.Code == "THROTTLED");
            if (throttled)
            {
                var retryAfter = cost is null
                    ? TimeSpan.FromSeconds(1)
                    : CostBucketTracker.WaitFor(cost.RequestedQueryCost, cost.ThrottleStatus.CurrentlyAvailable, cost.ThrottleStatus.RestoreRate);
                if (attempt >= _options.MaxRetries)
                    throw new ShopifyThrottledException("Shopify throttled the query after every retry.", retryAfter, response.StatusCode, requestId);
                logger.LogInformation("Throttled by Shopify for {Shop}; waiting {RetryAfter}", shop.ShopDomain, retryAfter);
                await Task.Delay(retryAfter, time, cancellationToken);
                continue;
            }

            ThrowOnGraphQLFailure(root, errors, requestId);
            var data = root.GetProperty("data").Deserialize<TData>(ShopifyJson.Options)
                ?? throw new ShopifyApiException("Shopify returned empty data.", response.StatusCode, requestId);
            return new GraphQLResult<TData>(data, errors, cost, requestId);
        }
    }

    private static void ThrowOnHttpFailure(string shopDomain, HttpStatusCode status, string? requestId, string? body)
    {
        switch (status)
        {
            case HttpStatusCode.OK:
                return;
            case HttpStatusCode.Unauthorized:
                throw new ShopifyUnauthorizedException("Shopify rejected the access token (401). The shop must authorise WinBack again.", shopDomain, requestId);
            case HttpStatusCode.PaymentRequired or HttpStatusCode.Locked:
                throw new ShopifyShopUnavailableException($"The shop is unavailable ({(int)status}): {body}", status, requestId);
            default:
                throw new ShopifyApiException($"Shopify answered {(int)status}: {body}", status, requestId);
        }
    }

    private static void ThrowOnGraphQLFailure(JsonElement root, IReadOnlyList<GraphQLError> errors, string? requestId)
    {
        var maxCost = errors.FirstOrDefault(e => e.Code == "MAX_COST_EXCEEDED");
        if (maxCost is not null)
        {
            var extensions = root.GetProperty("errors")[0].GetProperty("extensions");
            throw new ShopifyMaxCostExceededException(maxCost.Message,
                extensions.TryGetProperty("cost", out var c) ? c.GetInt32() : 0,
                extensions.TryGetProperty("maxCost", out var m) ? m.GetInt32() : 0,
                requestId);
        }

        if (errors.FirstOrDefault(e => e.Code == "SHOP_INACTIVE") is { } inactive)
            throw new ShopifyShopUnavailableException(inactive.Message, HttpStatusCode.OK, requestId);

        var hasData = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object;
        if (!hasData) throw new ShopifyGraphQLException(errors, requestId);
    }

    private static QueryCost? ReadCost(JsonElement root) =>
        root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("cost", out var cost)
            ? cost.Deserialize<QueryCost>(ShopifyJson.Options)
            : null;

    private static IReadOnlyList<GraphQLError> ReadErrors(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array) return [];
        return errors.EnumerateArray().Select(e => new GraphQLError(
            e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "",
            e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null,
            e.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().Select(v => v.Clone()).ToList() : null))
            .ToList();
    }

    private static async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.OK ? null : await response.Content.ReadAsStringAsync(cancellationToken);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        if (response.Headers.RetryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow;
        // Shopify sends fractional seconds ("2.0"), which the typed header parser rejects.
        return response.Headers.TryGetValues("Retry-After", out var values)
               && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
