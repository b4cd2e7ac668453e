using System.Net;
using System.Security.Cryptography;
using System.Text;
using WinBack.ShopifySimulator.OAuth;

namespace WinBack.ShopifySimulator.Admin;

/// <summary>
/// The part of Shopify admin an embedded app sees: a page that frames the app with
/// <c>embedded=1&amp;hmac&amp;host&amp;id_token&amp;locale&amp;session&amp;shop&amp;timestamp</c>, and an App Bridge stand-in
/// whose <c>shopify.idToken()</c> asks the admin page (by postMessage, as the real one does) for a fresh session token
/// and which, like the real one, reloads a bounce page's <c>shopify-reload</c> address with one.
/// </summary>
public static class AdminPageEndpoints
{
    /// <summary>
    /// Not Shopify's: a test's way to frame the app with a launch id_token that expired minutes ago, as a restored admin
    /// tab or a reloaded frame does. The admin page keeps this parameter to itself.
    /// </summary>
    public const string ExpiredIdTokenParameter = "simulator-expired-id-token";

    public static IEndpointRouteBuilder MapSimulatedAdmin(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/store/{handle}/apps/{apiKey}", AdminPage);
        routes.MapGet("/app-bridge.js", () => Results.Text(AppBridgeScript, "text/javascript"));
        return routes;
    }

    /// <summary>
    /// The query string Shopify admin appends when it loads an embedded app, signed with the app secret. Parameters of the
    /// admin URL itself (admin.shopify.com/store/x/apps/y?window=optimal) travel along and are signed too, as in Shopify.
    /// </summary>
    public static string EmbeddedQuery(
        SimulatorRuntime runtime, string shopDomain, IEnumerable<KeyValuePair<string, string>>? appParameters = null, bool expiredIdToken = false)
    {
        var options = runtime.Options;
        var now = runtime.Time.GetUtcNow();
        var idTokenIssuedAt = expiredIdToken ? now - options.IdTokenLifetime - TimeSpan.FromMinutes(5) : now;
        var parameters = new Dictionary<string, string>(appParameters ?? []);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["embedded"] = "1",
            ["host"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin.shopify.com/store/{shopDomain.Split('.')[0]}")).TrimEnd('='),
            ["id_token"] = SessionTokens.Mint(shopDomain, options.ApiKey, options.ApiSecret, idTokenIssuedAt, options.IdTokenLifetime),
            ["locale"] = "en",
            ["session"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["shop"] = shopDomain,
            ["timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
            parameters[key] = value;
        parameters["hmac"] = QuerySigner.Sign(options.ApiSecret, parameters);
        return string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    private static IResult AdminPage(string handle, string apiKey, HttpRequest request, SimulatorRuntime runtime)
    {
        var domain = $"{handle}.myshopify.com";
        if (apiKey != runtime.Options.ApiKey || runtime.Store.Find(domain) is not { Installation.IsInstalled: true })
            return Results.NotFound();
        if (runtime.Options.AppUrl is not { } appUrl)
            return Results.Problem("Simulator:AppUrl is not set, so there is no app to frame.", statusCode: 503);

        var appParameters = request.Query.Where(q => q.Key != ExpiredIdTokenParameter).Select(q => KeyValuePair.Create(q.Key, q.Value.ToString()));
        var src = $"{appUrl.ToString().TrimEnd('/')}/?{EmbeddedQuery(runtime, domain, appParameters, request.Query.ContainsKey(ExpiredIdTokenParameter))}";
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(handle)}} · Shopify admin (simulator)</title>
            <style>body{margin:0;font-family:system-ui;background:#f1f1f1}header{padding:12px 16px;background:#1a1a1a;color:#fff}iframe{border:0;width:100%;height:calc(100vh - 48px)}</style>
            </head><body>
            <header>Shopify admin (simulator) · {{WebUtility.HtmlEncode(domain)}}</header>
            <iframe id="app" title="WinBack" src="{{WebUtility.HtmlEncode(src)}}"></iframe>
            <script>
            window.addEventListener('message', async (event) => {
              // App Bridge keeps the admin URL in step with the app's own (so a view can be bookmarked).
              if (event.data && event.data.type === 'winback-simulator:navigate') {
                history.replaceState(null, '', location.pathname + (event.data.search ? '?' + event.data.search : ''));
                return;
              }
              // App Bridge's Scopes API: the merchant's answer to a grant (or revoke) request, and the current scopes.
              if (event.data && event.data.type === 'winback-simulator:scopes') {
                const path = '/simulator/shops/{{domain}}/scopes' + (event.data.op === 'query' ? '' : '/' + (event.data.op === 'request' ? 'grant' : 'revoke'));
                const response = event.data.op === 'query'
                  ? await fetch(path)
                  : await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ scopes: event.data.scopes }) });
                event.source.postMessage({ type: 'winback-simulator:scopes-result', id: event.data.id, result: await response.json() }, event.origin);
                return;
              }
              if (!event.data || event.data.type !== 'winback-simulator:id-token') return;
              const response = await fetch('/simulator/shops/{{domain}}/id-token');
              const { idToken } = await response.json();
              event.source.postMessage({ type: 'winback-simulator:id-token-result', id: event.data.id, idToken }, event.origin);
            });
            </script>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private const string AppBridgeScript = """
        // App Bridge stand-in: the subset of window.shopify that WinBack uses.
        (function () {
          const pending = new Map();
          let next = 0;
          window.addEventListener('message', (event) => {
            if (event.data && event.data.type === 'winback-simulator:id-token-result' && pending.has(event.data.id)) {
              pending.get(event.data.id)(event.data.idToken);
              pending.delete(event.data.id);
            }
            if (event.data && event.data.type === 'winback-simulator:scopes-result' && pending.has(event.data.id)) {
              pending.get(event.data.id)(event.data.result);
              pending.delete(event.data.id);
            }
          });
          const params = new URLSearchParams(window.location.search);
          const launch = ['embedded', 'hmac', 'host', 'id_token', 'locale', 'session', 'shop', 'timestamp'];
          const mirror = () => {
            const own = new URLSearchParams(window.location.search);
            launch.forEach((key) => own.delete(key));
            window.parent.postMessage({ type: 'winback-simulator:navigate', search: own.toString() }, '*');
          };
          for (const method of ['pushState', 'replaceState']) {
            const original = history[method].bind(history);
            history[method] = (...args) => { original(...args); mirror(); };
          }
          const ask = (message) => new Promise((resolve) => {
            const id = ++next;
            pending.set(id, resolve);
            window.parent.postMessage({ ...message, id }, '*');
          });
          window.shopify = {
            config: { apiKey: document.querySelector('meta[name="shopify-api-key"]')?.content, shop: params.get('shop'), host: params.get('host') },
            idToken: () => ask({ type: 'winback-simulator:id-token' }),
            toast: { show(message) { console.log('[toast]', message); } },
            scopes: {
              query: () => ask({ type: 'winback-simulator:scopes', op: 'query' }),
              request: (scopes) => ask({ type: 'winback-simulator:scopes', op: 'request', scopes }),
              revoke: (scopes) => ask({ type: 'winback-simulator:scopes', op: 'revoke', scopes }),
            },
          };
          // A bounce page (shopify-reload in its address): a fresh session token, then that address with it, same origin only.
          const reload = params.get('shopify-reload');
          const target = reload && new URL(reload, window.location.href);
          if (target && target.origin === window.location.origin) {
            window.shopify.idToken().then((token) => {
              target.searchParams.set('id_token', token);
              window.location.replace(target);
            });
          }
        })();
        """;
}
