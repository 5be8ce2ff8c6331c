using Cutover.Core.Stats;
using Cutover.Store;

namespace Cutover.Server.Stats;

/// <summary>
/// Stats over a window ending now, from rollups: hour rows for the whole hours inside the window, minute
/// rows for its ragged ends. A window starts at the top of the minute holding <c>now − window</c> and
/// includes the current, unfinished minute.
/// </summary>
internal sealed class StatsService(IStatsStore store, TimeProvider time)
{
    public async Task<StatsReport> ComputeAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var rows = await ReadAsync(to - window, to, cancellationToken);
        return StatsCalculator.Compute(rows, Floor(to - window, Rollups.Minute), to);
    }

    /// <summary>Every rollup row covering [from, to) once, at the coarsest resolution that fits.</summary>
    public async Task<IReadOnlyList<RollupRow>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var start = Floor(from, Rollups.Minute);
        var end = Floor(to, Rollups.Minute) + Rollups.Minute; // the current minute is partly filled; read it too
        var firstHour = Ceiling(start, Rollups.Hour);
        var lastHour = Floor(end, Rollups.Hour);
        if (firstHour >= lastHour)
        {
            return await store.ReadRollupsAsync(Rollups.Minute, start, end, cancellationToken);
        }

        var rows = new List<RollupRow>();
        rows.AddRange(await store.ReadRollupsAsync(Rollups.Minute, start, firstHour, cancellationToken));
        rows.AddRange(await store.ReadRollupsAsync(Rollups.Hour, firstHour, lastHour, cancellationToken));
        rows.AddRange(await store.ReadRollupsAsync(Rollups.Minute, lastHour, end, cancellationToken));
        return rows;
    }

    /// <summary>Per-minute points over a window ending now (<see cref="StatsSeries"/>), read from minute rows only.</summary>
    public async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var from = to - window;
        return StatsSeries.Compute(await ReadMinutesAsync(from, to, cancellationToken), from, to);
    }

    /// <summary>The minute rows from <paramref name="from"/> (a whole minute) to the current minute, for per-minute series.</summary>
    public Task<IReadOnlyList<RollupRow>> ReadMinutesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        store.ReadRollupsAsync(Rollups.Minute, Floor(from, Rollups.Minute), Floor(to, Rollups.Minute) + Rollups.Minute, cancellationToken);

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan resolution) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Rollups.PeriodStart(at.ToUnixTimeMilliseconds(), resolution));

    private static DateTimeOffset Ceiling(DateTimeOffset at, TimeSpan resolution)
    {
        var floor = Floor(at, resolution);
        return floor == at ? floor : floor + resolution;
    }
}
