using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>
/// Per-minute figures for each route over all domains, from minute rollups: what the dashboard draws over time. Every
/// minute of the range has a point, an empty one too, so a gap in traffic shows as a gap and not as a shorter axis.
/// </summary>
public static class StatsSeries
{
    /// <summary>The most points one series holds: a day of minutes.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <param name="rows">Minute rows; rows of another period length or outside the range are ignored.</param>
    /// <param name="from">The first minute (floored to the minute).</param>
    /// <param name="to">Now: the last, unfinished minute is the one holding it.</param>
    public static IReadOnlyList<SeriesPoint> Compute(IEnumerable<RollupRow> rows, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var minute = (long)Rollups.Minute.TotalMilliseconds;
        var first = Rollups.PeriodStart(from.ToUnixTimeMilliseconds(), Rollups.Minute);
        var last = Rollups.PeriodStart(to.ToUnixTimeMilliseconds(), Rollups.Minute);
        var cells = new Dictionary<(long At, Route Route), RollupCell>();
        foreach (var row in rows)
        {
            if (row.PeriodStartMs < first || row.PeriodStartMs > last || (row.PeriodStartMs - first) % minute != 0)
            {
                continue;
            }

            if (!cells.TryGetValue((row.PeriodStartMs, row.Route), out var cell))
            {
                cell = new RollupCell();
                cells.Add((row.PeriodStartMs, row.Route), cell);
            }

            cell.Merge(row);
        }

        var points = new List<SeriesPoint>((int)((last - first) / minute) + 1);
        for (var at = first; at <= last; at += minute)
        {
            points.Add(new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(at), Of(cells, at, Route.Unified), Of(cells, at, Route.Legacy)));
        }

        return points;
    }

    private static SeriesFigures Of(Dictionary<(long At, Route Route), RollupCell> cells, long at, Route route)
    {
        if (!cells.TryGetValue((at, route), out var cell))
        {
            return SeriesFigures.Empty;
        }

        return new SeriesFigures(
            cell.Requests,
            cell.Errors,
            cell.Requests == 0 ? 0 : Math.Round(100.0 * cell.Errors / cell.Requests, 3),
            cell.Latency.Count == 0 ? null : cell.Latency.Quantile(0.95));
    }
}
