namespace WinBack.SheetsSimulator;

public sealed class SheetsSimulatorOptions
{
    /// <summary>Sheets' per-user write quota (60 a minute), per service account.</summary>
    public int WriteRequestsPerWindow { get; set; } = 60;
    public int ReadRequestsPerWindow { get; set; } = 60;
    /// <summary>The quota window: a minute at Google; shorter in tests that wait for it to refill.</summary>
    public TimeSpan QuotaWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Cells per spreadsheet across all tabs.</summary>
    public long MaxCells { get; set; } = 10_000_000;
}
