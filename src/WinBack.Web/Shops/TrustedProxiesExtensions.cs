using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace WinBack.Web.Shops;

public static class TrustedProxiesExtensions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// Behind a TLS-terminating proxy, X-Forwarded-Proto / -For say the request came over https (so the sign-in state
    /// cookie is Secure) and from whom. Only from the proxies and networks in ForwardedHeaders:KnownProxies / KnownNetworks:
    /// anyone else could claim any scheme or address, so with neither set, no forwarded header is believed.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in section.GetSection("KnownProxies").Get<string[]>() ?? [])
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"{SectionName}:KnownProxies holds \"{proxy}\", which is not an IP address."));
            foreach (var network in section.GetSection("KnownNetworks").Get<string[]>() ?? [])
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"{SectionName}:KnownNetworks holds \"{network}\", which is not a network like 10.0.0.0/8."));
        });
    }
}
