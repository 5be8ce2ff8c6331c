using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Core.Stats;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover baseline capture [--window 24h]</c> and <c>cutover baseline show</c>.</summary>
internal static class BaselineCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("baseline", """
            The runbooks' "record these BEFORE migration": legacy's requests, avg and p95 latency and error rate per
            domain, kept so that stats and health can hold unified against them.

            Examples:
              cutover baseline capture --window 24h --reason "week 5, before the cutover"
              cutover baseline show
            """);
        var window = WindowOption.Create("24h", "How far back from now to measure legacy");
        var reason = ReasonOption.Optional("Why (recorded with the baseline; one line, at most 1,000 characters)");
        var capture = new Command("capture", """
            Measure legacy now over --window and store it as the baseline (an operate token).

            Example:
              cutover baseline capture --window 7d --reason "a full week of legacy before week 6"
            """);
        capture.Options.Add(window);
        capture.Options.Add(reason);
        runner.Bind(capture, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var status = await admin.GetAsync("admin/status", ServerJson.Default.StatusResponse, cancellationToken);
            if (UnifiedShare(status) is { } share)
            {
                await context.Error.WriteLineAsync($"cutover: warning: unified already takes traffic ({share}): the baseline should describe "
                    + "legacy alone, before any user moves; it is captured anyway");
            }

            var baseline = await admin.SendAsync(HttpMethod.Post, "admin/baseline",
                new BaselineRequest(context.Parse.GetValue(window), context.Parse.GetValue(reason)),
                ServerJson.Default.BaselineRequest, ServerJson.Default.BaselineView, cancellationToken);
            return Print(context, baseline);
        });
        var show = new Command("show", """
            The newest baseline.

            Example:
              cutover baseline show --json
            """);
        runner.Bind(show, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            return Print(context, await admin.GetAsync("admin/baseline", ServerJson.Default.BaselineView, cancellationToken));
        });
        command.Subcommands.Add(capture);
        command.Subcommands.Add(show);
        return command;
    }

    /// <summary>"global 10.00%, jobs 35.00%": what goes to unified now, or null when nothing does (routing off, or 0% everywhere).</summary>
    private static string? UnifiedShare(StatusResponse status)
    {
        if (!status.Enabled)
        {
            return null;
        }

        List<string> parts = [.. status.Domains.Where(static d => d.Value.Percent > 0 && d.Value.OwnPercent is not null)
            .Select(static d => $"{d.Key} {Render.Percent(d.Value.Percent)}")];
        if (status.Percent > 0)
        {
            parts.Insert(0, $"global {Render.Percent(status.Percent)}");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static int Print(CliContext context, BaselineView baseline)
    {
        if (context.Json)
        {
            context.WriteJson(baseline, ServerJson.Default.BaselineView);
        }
        else
        {
            StatsRender.Baseline(context.Console, baseline);
        }

        return ExitCodes.Ok;
    }
}
