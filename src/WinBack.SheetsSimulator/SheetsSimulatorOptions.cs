namespace WinBack.SheetsSimulator;

public sealed class SheetsSimulatorOptions
{
    public const string SectionName = "SheetsSimulator";

    /// <summary>Sheets' per-user write quota (60 a minute), per service account.</summary>
    public int WriteRequestsPerWindow { get; set; } = 60;
    public int ReadRequestsPerWindow { get; set; } = 60;
    /// <summary>The quota window: a minute at Google; shorter in tests that wait for it to refill.</summary>
    public TimeSpan QuotaWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Cells per spreadsheet across all tabs.</summary>
    public long MaxCells { get; set; } = 10_000_000;

    /// <summary>A service account's JSON key file, as Google hands it out: registered at start, created first when missing
    /// (the local demo and the compose stack give the same file to WinBack). None when unset.</summary>
    public string? ServiceAccountKeyFile { get; set; }

    /// <summary>The email of the account a new key file is created for.</summary>
    public string ServiceAccountEmail { get; set; } = "winback@winback-demo.iam.gserviceaccount.com";
}
