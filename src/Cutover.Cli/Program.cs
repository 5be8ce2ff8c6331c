using Cutover.Cli;

return await CutoverCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
