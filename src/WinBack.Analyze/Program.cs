using WinBack.Analyze;

return await AnalyzeCommand.RunAsync(args, Console.Out, Console.Error);
