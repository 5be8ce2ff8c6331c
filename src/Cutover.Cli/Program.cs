using Cutover.Cli;

// Socket completions run inline only when DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 is set: no longer turned on
// here, because re-measured it did not pay beyond the noise (docs/threading.md, docs/benchmarks.md).
return await CutoverCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
