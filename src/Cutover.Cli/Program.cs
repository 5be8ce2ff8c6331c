using Cutover.Cli;
using Cutover.Server.Hosting;

// First, before any socket exists: the runtime reads this once (see InlineCompletions).
InlineCompletions.EnableUnlessSet();
return await CutoverCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
