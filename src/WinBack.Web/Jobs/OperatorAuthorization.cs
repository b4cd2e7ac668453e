using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace WinBack.Web.Jobs;

/// <summary>HTTP Basic for the operator's pages (the jobs dashboard, /metrics): the user and password from configuration, compared in constant time.</summary>
public sealed class OperatorAuthorization(string user, string password) : IDashboardAuthorizationFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes($"{user}:{password}");

    public bool Authorize(DashboardContext context) => Authorize(context.GetHttpContext());

    public bool Authorize(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try
            {
                var given = Convert.FromBase64String(header["Basic ".Length..].Trim());
                if (CryptographicOperations.FixedTimeEquals(given, _expected)) return true;
            }
            catch (FormatException)
            {
                // Not base64: refused like a wrong password.
            }
        }
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"WinBack operator\", charset=\"UTF-8\"";
        return false;
    }
}
