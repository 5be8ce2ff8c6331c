using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Spectre.Console;

namespace Cutover.Cli.Demo;

/// <summary>The end of the demo: the whole run per domain and route, the guarantees it checked, and the rollback.</summary>
internal static class DemoSummary
{
    /// <summary>Every domain × route over the run, from the rollups (what <c>cutover stats</c> reads).</summary>
    public static Table Split(StatsReport run, Func<string, DomainRole> roleOf)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("The whole run per domain and route (cutover stats over the simulated week)")
            .AddColumn("Domain").AddColumn("Route").AddColumn(new TableColumn("Updates").RightAligned()).AddColumn(new TableColumn("Share").RightAligned())
            .AddColumn(new TableColumn("p95").RightAligned()).AddColumn(new TableColumn("Errors").RightAligned())
            .AddColumn(new TableColumn("Fallbacks").RightAligned()).AddColumn("Note");
        foreach (var domain in run.Routes.GroupBy(static r => r.Domain).OrderBy(g => roleOf(g.Key)).ThenBy(static g => g.Key, StringComparer.Ordinal))
        {
            var note = roleOf(domain.Key) switch
            {
                DomainRole.Protected => "protected: never routed",
                DomainRole.Fallback => "no match: fallback, not routable",
                _ => "moved by the rollout",
            };
            foreach (var r in domain.OrderByDescending(static r => r.Route))
            {
                table.AddRow(
                    new Text(r.Domain), new Text(r.Route.ToName()), new Text(DemoFormat.Count(r.RequestCount)), new Text(DemoFormat.Percent(r.SharePct)),
                    new Text(DemoFormat.Ms(r.P95Ms)), new Text(DemoFormat.Count(r.ErrorCount)), new Text(DemoFormat.Count(r.FallbackCount)), new Text(note));
                note = string.Empty;
            }
        }

        return table;
    }

    /// <summary>The rollback as <c>GET /admin/rollbacks</c> records it: when, where, from and to, who and why.</summary>
    public static string Rollback(RollbackRecord r, DateTimeOffset start) =>
        $"{DemoFormat.Clock(r.At - start)}, {r.Phase}: {DemoFormat.Percent(r.FromPercent)} → {DemoFormat.Percent(r.ToPercent)} by {r.Actor}, "
        + $"with the metrics that caused it stored beside it. Reason: {r.Reason}";
}
