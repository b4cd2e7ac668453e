using System.Net;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Shops;

/// <summary>
/// The HTML WinBack serves inside Shopify admin: the React page Vite built (ClientApp/dist/index.html) with the app's
/// API key and App Bridge's script put at the top of its head, as App Bridge requires; assets are served under /app.
/// </summary>
public sealed class EmbeddedPage(IWebHostEnvironment environment, IOptions<ShopifyAppOptions> options)
{
    public const string AssetsPath = "/app";
    private const string Placeholder = "<!-- winback:app-bridge -->";

    public static string BuiltFolder(IWebHostEnvironment environment) => Path.Combine(environment.ContentRootPath, "ClientApp", "dist");

    public string App()
    {
        var index = Path.Combine(BuiltFolder(environment), "index.html");
        if (!File.Exists(index))
            return Page("<main style=\"font-family:system-ui;padding:24px\"><h1>WinBack</h1><p>The page is not built. Run <code>dotnet build</code> (or <code>npm run build</code> in src/WinBack.Web/ClientApp).</p></main>");
        return File.ReadAllText(index).Replace(Placeholder, Head());
    }

    /// <summary>
    /// The bounce page: App Bridge alone. Seeing shopify-reload in the page's address, it fetches a fresh session token and
    /// loads that address with id_token added, as on Shopify's own libraries' bounce page.
    /// </summary>
    public string Bounce() => Page("<p style=\"font-family:system-ui;padding:24px\">Signing you in to WinBack…</p>");

    private string Head()
    {
        var app = options.Value;
        return $"""
            <meta name="shopify-api-key" content="{WebUtility.HtmlEncode(app.ApiKey)}">
                <script src="{WebUtility.HtmlEncode(app.AppBridgeUrl.ToString())}"></script>
            """;
    }

    private string Page(string body) => $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          {Head()}
          <title>WinBack</title>
        </head>
        <body>
        {body}
        </body>
        </html>
        """;
}

public static class EmbeddedPageExtensions
{
    /// <summary>The built page's scripts and styles: hashed names, so they are cached for a year.</summary>
    public static IApplicationBuilder UseEmbeddedPageAssets(this WebApplication app)
    {
        var folder = EmbeddedPage.BuiltFolder(app.Environment);
        if (!Directory.Exists(folder)) return app;
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = EmbeddedPage.AssetsPath,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable",
        });
    }
}
