using System.Security.Cryptography;

namespace WinBack.Web.Sheets;

/// <summary>
/// Proof that a spreadsheet is the merchant's. Every shop shares one service account, so "Google lets WinBack open it"
/// says nothing about whose it is. WinBack issues a one-time code per connection; only someone who can edit the
/// spreadsheet can type it into <see cref="VerificationCell"/> of the <see cref="VerificationTab"/> tab, where WinBack
/// reads it back (values.get). A code is not a secret worth stealing: it proves nothing in a spreadsheet its thief
/// cannot edit, and no shop can choose another's code.
/// </summary>
public static class SheetOwnership
{
    public const string VerificationTab = "WinBack verification";
    public const string VerificationCell = "A1";
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromDays(7);

    /// <summary>No 0/O or 1/I, so a code read off the screen is typed right: 10 characters of 32, 50 bits.</summary>
    private const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static void IssueCode(SheetSync sync, DateTimeOffset now)
    {
        sync.VerificationCode = "WINBACK-" + RandomNumberGenerator.GetString(Alphabet, 10);
        sync.VerificationCodeExpiresAt = now + CodeLifetime;
    }

    /// <returns>Null when the spreadsheet holds the sync's code; otherwise what the merchant should do, in their words.</returns>
    public static async Task<string?> CheckAsync(SheetSync sync, GoogleSheetsClient sheets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (sync.VerificationCode is not { } code || sync.VerificationCodeExpiresAt <= now)
            return "This code has expired. Press “New code” and type the new code into the spreadsheet.";
        IReadOnlyList<IReadOnlyList<string>> cell;
        try
        {
            cell = await sheets.GetValuesAsync(sync.SpreadsheetId, GoogleSheetsClient.Range(VerificationTab, VerificationCell), cancellationToken);
        }
        catch (SheetsException e) when (e.StatusCode == StatusCodes.Status400BadRequest)
        {
            return $"The spreadsheet has no tab named “{VerificationTab}”. Add a tab with that name and type {code} into its cell {VerificationCell}.";
        }
        catch (SheetsException e)
        {
            return e.Message;
        }
        var typed = cell.FirstOrDefault()?.FirstOrDefault()?.Trim() ?? "";
        return typed.Equals(code, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Cell {VerificationCell} of the “{VerificationTab}” tab does not hold {code}. Type the code there exactly as shown, then press Verify again.";
    }
}
