using System.ComponentModel.DataAnnotations;

namespace WinBack.Web.Sheets;

/// <summary>
/// WinBack's Google service account and the Sheets API (section "Sheets"). The token URL comes from here, never from
/// a key file: Google.Apis.Auth's security advisory of 1.72.0 is about key files that point tokens elsewhere.
/// </summary>
public sealed class SheetsOptions
{
    public const string SectionName = "Sheets";
    public const string Scope = "https://www.googleapis.com/auth/spreadsheets";

    [Required(ErrorMessage = "Sheets:BaseUrl is the Sheets API's address, like https://sheets.googleapis.com/.")]
    public Uri BaseUrl { get; set; } = new("https://sheets.googleapis.com/");

    [Required(ErrorMessage = "Sheets:TokenUrl is Google's token address, like https://oauth2.googleapis.com/token.")]
    public Uri TokenUrl { get; set; } = new("https://oauth2.googleapis.com/token");

    /// <summary>The service account merchants share their sheet with (shown on the settings page).</summary>
    public string? ServiceAccountEmail { get; set; }

    /// <summary>Its private key, PKCS#8 PEM ("private_key" of the JSON key file).</summary>
    public string? ServiceAccountPrivateKey { get; set; }

    /// <summary>Instead of the two above: the JSON key file Google hands out (mounted as a secret). Its client_email and
    /// private_key are used; its token_uri never is (see above).</summary>
    public string? ServiceAccountKeyFile { get; set; }

    /// <summary>How often a 429 or 5xx is retried, with exponential backoff from <see cref="RetryBaseDelay"/>, before the run fails.</summary>
    [Range(0, 20, ErrorMessage = "Sheets:MaxRetries is between 0 and 20.")]
    public int MaxRetries { get; set; } = 6;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Sheets' write quota per service account (60 a minute), shared by every worker through PostgreSQL.</summary>
    [Range(1, 10_000, ErrorMessage = "Sheets:WritesPerWindow is between 1 and 10000.")]
    public int WritesPerWindow { get; set; } = 60;
    public TimeSpan WriteWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows per values.batchUpdate: about 1.5 MB of customer rows, under the 2 MB Google recommends.</summary>
    [Range(1, 100_000, ErrorMessage = "Sheets:RowsPerWrite is between 1 and 100000.")]
    public int RowsPerWrite { get; set; } = 5_000;

    public const string UnreadableKeyFile = "Sheets:ServiceAccountKeyFile does not name a readable service-account JSON key (with client_email and private_key).";

    /// <summary>Takes the account from <see cref="ServiceAccountKeyFile"/> when one is named (a file that cannot be read as a key leaves it unset).</summary>
    public void LoadKeyFile()
    {
        if (string.IsNullOrEmpty(ServiceAccountKeyFile)) return;
        try
        {
            using var key = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ServiceAccountKeyFile));
            ServiceAccountEmail = key.RootElement.GetProperty("client_email").GetString();
            ServiceAccountPrivateKey = key.RootElement.GetProperty("private_key").GetString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            (ServiceAccountEmail, ServiceAccountPrivateKey) = (null, null);
        }
    }

    public bool IsConfigured => !string.IsNullOrEmpty(ServiceAccountEmail) && !string.IsNullOrEmpty(ServiceAccountPrivateKey);
}
