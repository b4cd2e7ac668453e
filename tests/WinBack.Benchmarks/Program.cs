using WinBack.Benchmarks;

// WebApplicationFactory finds the app's content root through a manifest next to the binaries.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);

return args switch
{
    ["webhooks", ..] => await WebhookThroughput.RunAsync(args.Skip(1).ToArray()),
    ["sync", ..] => await SyncThroughput.RunAsync(args.Skip(1).ToArray()),
    ["webhooks-applied", ..] => await WebhookApplyLatency.RunAsync(args.Skip(1).ToArray()),
    ["report", ..] => await ReportLatency.RunAsync(args.Skip(1).ToArray()),
    ["digests", ..] => await DigestThroughput.RunAsync(args.Skip(1).ToArray()),
    ["sheets", ..] => await SheetSyncThroughput.RunAsync(args.Skip(1).ToArray()),
    ["analytics", ..] => await AnalyticsThroughput.RunAsync(args.Skip(1).ToArray()),
    ["multi-process", ..] => await MultiProcess.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/WinBack.Benchmarks -- webhooks [--seconds 15] [--concurrency 32]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- sync [--orders 1000000]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- webhooks-applied [--rate 1000] [--seconds 10]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- report [--customers 1000000] [--seconds 15] [--concurrency 16] [--skip-refit] [--refits 2] [--refit-only] [--backfill-only] [--hold] [--wrk] [--verbose]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- digests [--shops 1000] [--workers 10]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- sheets [--rows 100000]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- analytics [--customers 1000000]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- multi-process [--webhooks 20000]");
    return 2;
}
