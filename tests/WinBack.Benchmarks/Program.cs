using WinBack.Benchmarks;

// WebApplicationFactory finds the app's content root through a manifest next to the binaries.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);

// Each command with its options and their defaults: what the usage says, and what a command line is checked against
// (a mistyped option would otherwise run the whole benchmark with the default).
string[] commands =
[
    "webhooks [--seconds 15] [--concurrency 32]",
    "sync [--orders 1000000] [--verbose]",
    "webhooks-applied [--rate 1000] [--seconds 10]",
    "report [--customers 1000000] [--seconds 15] [--warmup 10] [--concurrency 16] [--skip-refit] [--refits 2] [--changed-per-week N] [--refit-only] [--backfill-only] [--hold] [--wrk] [--verbose]",
    "digests [--shops 1000] [--workers 10]",
    "sheets [--rows 100000]",
    "analytics [--customers 1000000]",
    "multi-process [--webhooks 20000]",
];
var usage = commands.FirstOrDefault(c => c.Split(' ')[0] == args.FirstOrDefault());
var unknown = args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal) && usage?.Contains($"[{a} ") != true && usage?.Contains($"[{a}]") != true).ToList();
if (usage is null || unknown.Count > 0)
{
    if (unknown.Count > 0) Console.Error.WriteLine($"unknown option {string.Join(", ", unknown)}");
    foreach (var (command, i) in commands.Select((c, i) => (c, i)))
        Console.Error.WriteLine($"{(i == 0 ? "usage:" : "      ")} dotnet run -c Release --project tests/WinBack.Benchmarks -- {command}");
    return 2;
}

var options = args.Skip(1).ToArray();
return args[0] switch
{
    "webhooks" => await WebhookThroughput.RunAsync(options),
    "sync" => await SyncThroughput.RunAsync(options),
    "webhooks-applied" => await WebhookApplyLatency.RunAsync(options),
    "report" => await ReportLatency.RunAsync(options),
    "digests" => await DigestThroughput.RunAsync(options),
    "sheets" => await SheetSyncThroughput.RunAsync(options),
    "analytics" => await AnalyticsThroughput.RunAsync(options),
    _ => await MultiProcess.RunAsync(options),
};
