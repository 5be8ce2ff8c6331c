using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Core.Stats;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover report [--window 24h] [--format md|text]</c>: the runbooks' metrics template and standup update, filled in.</summary>
internal static class ReportCommand
{
    // The most events /admin/history returns in one answer; a window holding more is reported as cut short.
    private const int HistoryLimit = 10_000;

    public static Command Create(CliRunner runner)
    {
        var window = WindowOption.Create("24h", "How far back from now");
        var format = new Option<string>("--format", "-f")
        {
            Description = "md (Markdown, to paste into a ticket or chat) or text (plain aligned text)",
            DefaultValueFactory = _ => "md",
            HelpName = "FORMAT",
        };
        format.Validators.Add(static result =>
        {
            if (FormatOf(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError($"--format: '{result.GetValueOrDefault<string>()}' is not md or text");
            }
        });
        var command = new Command("report", """
            A report to paste to stakeholders: the runbooks' metrics collection template and daily standup update,
            filled from the server. Rollout state and next step; requests, share, latency, errors and fallbacks per
            domain × route and unified against legacy; per handler; health findings (issues observed); the changes
            made in the window (actions); and a standup summary with a risk level. Exit 0 whatever the figures say.

            Examples:
              cutover report > report.md
              cutover report --window 1h --format text
            """);
        command.Options.Add(window);
        command.Options.Add(format);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            if (context.Json)
            {
                // A report is for people; the figures it is made of are each one verb away in JSON.
                throw new CliException(ExitCodes.Usage,
                    "--json: report writes Markdown or text (--format); for JSON read stats, health, history and rollout status with --json");
            }

            using var admin = context.Admin();
            var stats = await admin.GetAsync(
                "admin/stats?window=" + Uri.EscapeDataString(context.Parse.GetValue(window)!), ServerJson.Default.StatsResponse, cancellationToken);

            // The actions are the changes since the first minute the stats count, so both sections cover the same span.
            var since = Uri.EscapeDataString(stats.From.ToString("O", CultureInfo.InvariantCulture));
            var history = await admin.GetAsync($"admin/history?limit={HistoryLimit}&since={since}", ServerJson.Default.HistoryResponse, cancellationToken);
            var health = await admin.GetAsync("admin/health", ServerJson.Default.HealthResponse, cancellationToken);
            var rollout = await admin.GetAsync("admin/rollout", ServerJson.Default.RolloutStatusResponse, cancellationToken);
            var status = await admin.GetAsync("admin/status", ServerJson.Default.StatusResponse, cancellationToken);

            var input = new ReportInput(stats, health, history.Events, rollout, status, TimeProvider.System.GetUtcNow(),
                EventsTruncated: history.Events.Count >= HistoryLimit);
            await context.Out.WriteAsync(ReportRender.Write(input, FormatOf(context.Parse.GetValue(format))!.Value));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static ReportFormat? FormatOf(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "md" or "markdown" => ReportFormat.Markdown,
        "text" or "txt" => ReportFormat.Text,
        _ => null,
    };
}
