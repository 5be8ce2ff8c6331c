using System.CommandLine;
using System.CommandLine.Parsing;
using Cutover.Cli.Commands;

namespace Cutover.Cli;

/// <summary>The <c>cutover</c> command line: builds the verbs, parses, and runs one.</summary>
internal static class CutoverCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var runner = new CliRunner(new CommonOptions(), output, error);
        var root = Build(runner);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Usage errors exit 64 (EX_USAGE) with each problem on its own line, not the parser's default 1.
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"cutover: {problem.Message}");
            }

            var names = new List<string>();
            for (var result = parse.CommandResult; result.Command != root; result = (CommandResult)result.Parent!)
            {
                names.Insert(0, result.Command.Name);
            }

            var verb = names.Count == 0 ? string.Empty : string.Join(' ', names) + " ";
            await error.WriteLineAsync($"Run 'cutover {verb}--help' for usage.");
            return ExitCodes.Usage;
        }

        // Signals are left to the verbs: `serve` stops through the host's own SIGTERM/Ctrl+C handling and drains
        // the decision log, which the parser's 2-second termination timeout could cut short.
        return await parse.InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    public static RootCommand Build(CliRunner runner)
    {
        var root = new RootCommand("""
            Cutover moves live WhatsApp webhook traffic from legacy per-domain handlers to a unified handler,
            a percentage of users at a time, sticky per user, with every decision logged.

            Start here:
              cutover demo                      see it work on this machine, nothing to set up
              cutover init                      write a starter cutover.json to edit
              cutover serve --config cutover.json
              cutover status                    what is routed where right now
              cutover set 10 --reason "start"   move 10% of users of the routable domains to unified
            """);
        runner.Common.AddTo(root);
        root.Subcommands.Add(InitCommand.Create(runner));
        root.Subcommands.Add(ServeCommand.Create(runner));
        root.Subcommands.Add(MigrateCommand.Create(runner));
        root.Subcommands.Add(DemoCommand.Create(runner));
        root.Subcommands.Add(StatusCommand.Create(runner));
        root.Subcommands.Add(SetCommand.Create(runner));
        root.Subcommands.Add(EnableCommand.Create(runner, enable: true));
        root.Subcommands.Add(EnableCommand.Create(runner, enable: false));
        root.Subcommands.Add(OverrideCommand.Create(runner));
        root.Subcommands.Add(HistoryCommand.Create(runner));
        root.Subcommands.Add(ExplainCommand.Create(runner));
        root.Subcommands.Add(SimulateCommand.Create(runner));
        root.Subcommands.Add(UserCommand.Create(runner));
        root.Subcommands.Add(StatsCommand.Create(runner));
        root.Subcommands.Add(HealthCommand.Create(runner));
        root.Subcommands.Add(RolloutCommand.Create(runner));
        root.Subcommands.Add(RollbackCommand.Create(runner));
        root.Subcommands.Add(BaselineCommand.Create(runner));
        root.Subcommands.Add(ReportCommand.Create(runner));
        root.Subcommands.Add(DlqCommand.Create(runner));
        return root;
    }
}
