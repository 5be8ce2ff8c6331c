using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover simulate --percent P [--domain D] [--window 24h]</c>, or <c>--step N</c> of the rollout plan.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliRunner runner)
    {
        var percent = new Option<string>("--percent", "-p")
        {
            Description = "The percentage to try, 0 to 100 with up to two decimals; with --domain, 'global' tries the domain following the global percentage again",
            HelpName = "PERCENT",
        };
        percent.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !string.Equals(text, "global", StringComparison.OrdinalIgnoreCase)
                && ProblemOf(text) is { } problem)
            {
                result.AddError($"--percent: {problem}");
            }
        });
        var step = new Option<int?>("--step")
        {
            Description = "Try the percentage of this step of the rollout plan (1 for the first), in the running rollout's scope",
            HelpName = "N",
        };
        step.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--step: steps are numbered from 1");
            }
        });
        var domain = new Option<string>("--domain", "-d")
        {
            Description = "Try the percentage for this domain only (protected domains are refused)",
            HelpName = "DOMAIN",
        };
        var window = WindowOption.Create("24h", "Which users to replay: those seen this far back from now");
        var command = new Command("simulate", """
            What a different percentage would do, replayed over the users the decision log saw in a window: per domain,
            the users and requests on unified now and then, and exactly how many users would move from legacy to unified
            (or, lower, back). Nothing changes. 'set' and 'rollback' print the same prediction as a preview line.

            Examples:
              cutover simulate --percent 25
              cutover simulate --percent 50 --domain jobs --window 7d
              cutover simulate --step 3
              cutover simulate --percent 10 --json | jq '.totals.users_to_legacy'
            """);
        command.Options.Add(percent);
        command.Options.Add(step);
        command.Options.Add(domain);
        command.Options.Add(window);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var percentText = context.Parse.GetValue(percent);
            var stepValue = context.Parse.GetValue(step);
            var target = context.Parse.GetValue(domain);
            if ((percentText is null) == (stepValue is null))
            {
                throw new CliException(ExitCodes.Usage, "give --percent PERCENT or --step N (one of them)");
            }

            if (string.Equals(percentText, "global", StringComparison.OrdinalIgnoreCase) && target is null)
            {
                throw new CliException(ExitCodes.Usage, "--percent: 'global' only makes sense with --domain");
            }

            var query = new List<string>();
            if (percentText is not null)
            {
                query.Add("percent=" + Uri.EscapeDataString(Normalize(percentText)));
            }

            if (stepValue is { } n)
            {
                query.Add("step=" + n.ToString(CultureInfo.InvariantCulture));
            }

            if (target is not null)
            {
                query.Add("domain=" + Uri.EscapeDataString(target));
            }

            query.Add("window=" + Uri.EscapeDataString(context.Parse.GetValue(window)!));
            using var admin = context.Admin();
            var simulation = await admin.GetAsync("admin/simulate?" + string.Join('&', query), ServerJson.Default.SimulationResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(simulation, ServerJson.Default.SimulationResponse);
            }
            else
            {
                SimulateRender.Simulation(context.Console, simulation);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A percent as the server reads it: invariant digits, no '%'.</summary>
    internal static string Normalize(string text) => text.Trim().TrimEnd('%');

    private static string? ProblemOf(string text) =>
        !decimal.TryParse(Normalize(text), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? $"'{text}' is not a number from 0 to 100 (example: 25 or 12.5)"
            : RoutingRules.CheckPercent(value);
}
