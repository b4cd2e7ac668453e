using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace WinBack.Web.Jobs;

/// <summary>HTTP Basic for the jobs dashboard: the operator's user and password from configuration, compared in constant time.</summary>
public sealed class OperatorAuthorization(string user, string password) : IDashboardAuthorizationFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes($"{user}:{password}");

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
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
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"WinBack jobs\", charset=\"UTF-8\"";
        return false;
    }
}
