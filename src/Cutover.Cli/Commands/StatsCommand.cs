using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover stats [--window 1h] [--domain D]</c>.</summary>
internal static class StatsCommand
{
    public static Command Create(CliRunner runner)
    {
        var window = WindowOption.Create("1h", "How far back from now");
        var domain = new Option<string>("--domain", "-d")
        {
            Description = "Only this domain's rows (a configured domain: jobs, marketplace, …)",
            HelpName = "DOMAIN",
        };
        var command = new Command("stats", """
            Requests, latency (avg, p50, p95, p99), errors, fallbacks and split per domain × route, per handler,
            and unified against legacy over all domains, from the per-minute rollups. Errors count updates the
            route failed, fallbacks included. --domain keeps one domain's rows (the handlers and the all-domains
            rows are not broken down by domain, so they are left out of the table).

            Examples:
              cutover stats
              cutover stats --window 24h
              cutover stats --domain jobs
              cutover stats --window 7d --json
            """);
        command.Options.Add(window);
        command.Options.Add(domain);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var stats = await admin.GetAsync(
                "admin/stats?window=" + Uri.EscapeDataString(context.Parse.GetValue(window)!), ServerJson.Default.StatsResponse, cancellationToken);
            if (context.Parse.GetValue(domain) is not { } only)
            {
                if (context.Json)
                {
                    context.WriteJson(stats, ServerJson.Default.StatsResponse);
                }
                else
                {
                    StatsRender.Stats(context.Console, stats);
                }

                return ExitCodes.Ok;
            }

            // /admin/stats has no domain filter: the rows are filtered here. A domain with no rows is either not
            // configured (a usage error; /admin/status lists the configured ones) or had no traffic in the window.
            var rows = stats.Routes.Where(r => string.Equals(r.Domain, only, StringComparison.Ordinal)).ToList();
            if (rows.Count == 0)
            {
                await DomainCheck.EnsureConfiguredAsync(admin, only, cancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(stats with { Routes = rows }, ServerJson.Default.StatsResponse);
            }
            else if (rows.Count == 0)
            {
                context.Out.WriteLine($"No traffic for domain {only} in the last {stats.Window}.");
            }
            else
            {
                StatsRender.Domain(context.Console, stats, rows);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
