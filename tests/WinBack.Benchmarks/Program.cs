using WinBack.Benchmarks;

// WebApplicationFactory finds the app's content root through a manifest next to the binaries.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);

return args switch
{
    ["webhooks", ..] => await WebhookThroughput.RunAsync(args.Skip(1).ToArray()),
    ["sync", ..] => await SyncThroughput.RunAsync(args.Skip(1).ToArray()),
    ["webhooks-applied", ..] => await WebhookApplyLatency.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/WinBack.Benchmarks -- webhooks [--seconds 15] [--concurrency 32]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- sync [--orders 1000000]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/WinBack.Benchmarks -- webhooks-applied [--rate 1000] [--seconds 10]");
    return 2;
}
