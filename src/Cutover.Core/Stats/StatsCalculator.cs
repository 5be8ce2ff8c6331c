using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>Stats from rollup rows: counts add up, latency sketches merge, nothing reads the raw log.</summary>
public static class StatsCalculator
{
    public static StatsReport Compute(IEnumerable<RollupRow> rows, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var byDomain = new Dictionary<(string Domain, Route Route), RollupCell>();
        var byHandler = new Dictionary<(string Handler, Route Route), RollupCell>();
        foreach (var row in rows)
        {
            CellOf(byDomain, (row.Domain, row.Route)).Merge(row);
            if (row.Handler != Rollups.NoHandler)
            {
                // Merging the row a second time decodes its sketch again; cheaper than copying sketches around.
                CellOf(byHandler, (row.Handler, row.Route)).Merge(row);
            }
        }

        var domainTotals = byDomain
            .GroupBy(static p => p.Key.Domain, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.Sum(static p => p.Value.Requests), StringComparer.Ordinal);
        var routes = byDomain
            .OrderBy(static p => p.Key.Domain, StringComparer.Ordinal).ThenByDescending(static p => p.Key.Route)
            .Select(p => StatsOf(p.Key.Domain, p.Key.Route, p.Value, domainTotals[p.Key.Domain]))
            .ToList();

        var all = byDomain.Values.Sum(static c => c.Requests);
        var totals = new List<RouteStats>(2);
        foreach (var route in (Route[])[Route.Unified, Route.Legacy])
        {
            var cell = new RollupCell();
            foreach (var (key, value) in byDomain)
            {
                if (key.Route == route)
                {
                    cell.Merge(value);
                }
            }

            totals.Add(StatsOf(StatsReport.AllDomains, route, cell, all));
        }

        var handlers = byHandler
            .OrderBy(static p => p.Key.Handler, StringComparer.Ordinal).ThenByDescending(static p => p.Key.Route)
            .Select(static p => new HandlerStats(
                p.Key.Handler, p.Key.Route, p.Value.Requests, Average(p.Value), Quantile(p.Value, 0.95), p.Value.Errors,
                Percent(p.Value.Errors, p.Value.Requests), LastOf(p.Value)))
            .ToList();

        return new StatsReport(from, to, routes, handlers, totals);
    }

    private static RollupCell CellOf<TKey>(Dictionary<TKey, RollupCell> cells, TKey key)
        where TKey : notnull
    {
        if (!cells.TryGetValue(key, out var cell))
        {
            cell = new RollupCell();
            cells.Add(key, cell);
        }

        return cell;
    }

    private static RouteStats StatsOf(string domain, Route route, RollupCell cell, long domainRequests) => new(
        domain,
        route,
        cell.Requests,
        Average(cell),
        Quantile(cell, 0.50),
        Quantile(cell, 0.95),
        Quantile(cell, 0.99),
        cell.Errors,
        Percent(cell.Errors, cell.Requests),
        cell.Fallbacks,
        Percent(cell.Requests, domainRequests),
        LastOf(cell));

    private static double? Average(RollupCell cell) =>
        cell.Latency.Count == 0 ? null : cell.Latency.Sum / cell.Latency.Count;

    private static double? Quantile(RollupCell cell, double q) =>
        cell.Latency.Count == 0 ? null : cell.Latency.Quantile(q);

    private static double Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 3);

    private static DateTimeOffset? LastOf(RollupCell cell) =>
        cell.LastAtMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(cell.LastAtMs);
}
