using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Core.Stats;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover stats [--window 1h]</c>.</summary>
internal static class StatsCommand
{
    public static Command Create(CliRunner runner)
    {
        var window = WindowOption.Create("1h", "How far back from now");
        var command = new Command("stats", """
            Requests, latency (avg, p50, p95, p99), errors, fallbacks and split per domain × route, per handler,
            and unified against legacy over all domains, from the per-minute rollups. Errors count updates the
            route failed, fallbacks included.

            Examples:
              cutover stats
              cutover stats --window 24h
              cutover stats --window 7d --json
            """);
        command.Options.Add(window);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var stats = await admin.GetAsync(
                "admin/stats?window=" + Uri.EscapeDataString(context.Parse.GetValue(window)!), ServerJson.Default.StatsResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(stats, ServerJson.Default.StatsResponse);
            }
            else
            {
                StatsRender.Stats(context.Console, stats);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
