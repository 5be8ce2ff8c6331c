using System.CommandLine;
using System.CommandLine.Parsing;
using Cutover.Cli.Commands;
using Cutover.Core.Text;

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
            // Usage errors exit 64 (EX_USAGE) with each problem on its own line, not the parser's default 1. A mistyped
            // verb gets one line with a guess instead: the parser's own lines ("Required command was not provided",
            // every later word unrecognized) only follow from the typo.
            if (Misspelled(parse) is { } guess)
            {
                await error.WriteLineAsync($"cutover: {guess}");
            }
            else
            {
                foreach (var problem in parse.Errors)
                {
                    await error.WriteLineAsync($"cutover: {problem.Message}");
                }
            }

            var path = VerbPath(parse.CommandResult);
            var verb = path.Length == 0 ? string.Empty : path + " ";
            await error.WriteLineAsync($"Run 'cutover {verb}--help' for usage.");
            return ExitCodes.Usage;
        }

        // Signals are left to the verbs: `serve` stops through the host's own SIGTERM/Ctrl+C handling and drains
        // the decision log, which the parser's 2-second termination timeout could cut short.
        return await parse.InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    /// <summary>
    /// "'stauts' is not a cutover verb; did you mean 'status'?" when the first word the parser could not place stands
    /// where a verb (or a verb's subcommand) goes and is close to one; else null.
    /// </summary>
    private static string? Misspelled(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var word = parse.UnmatchedTokens.FirstOrDefault();
        if (command.Subcommands.Count == 0 || word is null || word.StartsWith('-'))
        {
            return null;
        }

        var known = command.Subcommands.Where(static c => !c.Hidden).SelectMany(static c => c.Aliases.Prepend(c.Name));
        var nearest = NearestNames.Find(word, known);
        if (nearest.Count == 0)
        {
            return null;
        }

        var where = command is RootCommand ? "cutover verb" : $"'cutover {VerbPath(parse.CommandResult)}' command";
        return $"'{UnsafeText.Sanitize(word)}' is not a {where}; {NearestNames.DidYouMean(nearest)}";
    }

    /// <summary>The verbs from the root to <paramref name="result"/>: "rollout", "dlq list".</summary>
    private static string VerbPath(CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r.Parent is CommandResult parent; r = parent)
        {
            names.Insert(0, r.Command.Name);
        }

        return string.Join(' ', names);
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
        root.Subcommands.Add(OverridesCommand.Create(runner));
        root.Subcommands.Add(HistoryCommand.Create(runner));
        root.Subcommands.Add(ExplainCommand.Create(runner));
        root.Subcommands.Add(SimulateCommand.Create(runner));
        root.Subcommands.Add(UserCommand.Create(runner));
        root.Subcommands.Add(StatsCommand.Create(runner));
        root.Subcommands.Add(HealthCommand.Create(runner));
        root.Subcommands.Add(RolloutCommand.Create(runner));
        root.Subcommands.Add(RollbackCommand.Create(runner));
        root.Subcommands.Add(RollbacksCommand.Create(runner));
        root.Subcommands.Add(BaselineCommand.Create(runner));
        root.Subcommands.Add(ReportCommand.Create(runner));
        root.Subcommands.Add(DlqCommand.Create(runner));
        root.Subcommands.Add(DecisionsCommand.Create(runner));
        return root;
    }
}
