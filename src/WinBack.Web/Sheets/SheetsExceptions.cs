namespace WinBack.Web.Sheets;

/// <summary>A Sheets API failure, with the sentence shown to the merchant on the settings page.</summary>
public class SheetsException(string message, int statusCode, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>403: the spreadsheet is not shared with WinBack's service account (as an editor).</summary>
public sealed class SheetsPermissionDeniedException(string serviceAccount)
    : SheetsException($"WinBack cannot edit this spreadsheet. Share it with {serviceAccount} as an editor.", 403);

/// <summary>404: no such spreadsheet (deleted, or a wrong id).</summary>
public sealed class SheetsNotFoundException()
    : SheetsException("The spreadsheet was not found. It may have been deleted; connect another one in the settings.", 404);

/// <summary>429 after every retry: the per-minute write quota stayed exhausted.</summary>
public sealed class SheetsQuotaExceededException()
    : SheetsException("Google's per-minute limit for writing to sheets was reached. The sync will try again later.", 429);

/// <summary>The grid or the 10-million-cell limit of a spreadsheet.</summary>
public sealed class SheetsLimitException(string detail)
    : SheetsException($"The spreadsheet is too small or too full for this list: {detail}", 400);

/// <summary>The service account could not get a token (a revoked key, a wrong configuration).</summary>
public sealed class SheetsAuthenticationException(string detail)
    : SheetsException($"WinBack could not sign in to Google ({detail}). Our team has been told.", 401);

/// <summary>Google did not answer at all (no connection, or no response within the client's timeout). Nothing the
/// merchant can mend: it does not count towards pausing the sync.</summary>
public sealed class SheetsUnreachableException(Exception? inner = null)
    : SheetsException("Google Sheets could not be reached. The sync will try again at its next run.", 503, inner);
