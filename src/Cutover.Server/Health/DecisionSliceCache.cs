using Cutover.Core.Health;
using Cutover.Core.Stats;
using Cutover.Store;

namespace Cutover.Server.Health;

/// <summary>
/// The change window's counts of the decision log, read incrementally. Slices that ended more than <see cref="Settle"/>
/// ago are counted once and kept; each read scans only from the end of what is kept to now (the settling time plus up
/// to a slice of decisions, however long the window), where before every fast look scanned the whole window (up to
/// <c>Health:RecentWindow</c>, two minutes of every request) every 2 s: the cost of health then grew with the request
/// rate times the window, and at ten thousand webhooks a second it was a fifth of the server's CPU.
/// </summary>
/// <remarks>
/// A slice is settled once the log writers have had <see cref="Settle"/> to store it: they flush every
/// <c>DecisionLog:FlushInterval</c> (50 ms by default), on every instance that shares the store, and the settling time is
/// that and <see cref="SettleMargin"/> more. A decision stored later than that (a writer backed up behind an unreachable
/// store) is missed by the change window, and only by it: the rollups and the full look count it. Reads take turns;
/// each is one grouped scan of a few seconds of the log.
/// </remarks>
internal sealed class DecisionSliceCache(IStatsStore store, TimeSpan slice, TimeSpan flushInterval, double warnMs, double criticalMs)
{
    /// <summary>What a slice waits beyond the log writers' flush interval before its counts are final: a write's own time, a clock's skew.</summary>
    public static readonly TimeSpan SettleMargin = TimeSpan.FromSeconds(2);

    /// <summary>How long after a slice ends its counts are taken as final.</summary>
    public TimeSpan Settle { get; } = flushInterval + SettleMargin;

    private readonly long _sliceMs = (long)slice.TotalMilliseconds;
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Where the kept slices were counted from: the window's start, maybe inside the first slice.</summary>
    private long _fromMs = long.MinValue;

    /// <summary>The kept slices cover [<see cref="_fromMs"/>, this), ending on a slice's edge.</summary>
    private long _untilMs = long.MinValue;

    private List<DecisionSlice> _kept = [];

    /// <summary>
    /// The decisions of [<paramref name="from"/>, <paramref name="to"/>) per slice, domain and route, as
    /// <see cref="IStatsStore.CountDecisionsAsync"/> counts them. A window that slides should start on a slice's edge,
    /// so what is kept stays whole; any other start change begins again.
    /// </summary>
    public async Task<IReadOnlyList<DecisionSlice>> CountAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        await _turn.WaitAsync(cancellationToken);
        try
        {
            Reuse(fromMs, toMs);
            var read = await store.CountDecisionsAsync(
                DateTimeOffset.FromUnixTimeMilliseconds(_untilMs), to, slice, warnMs, criticalMs, cancellationToken);

            // A slice that starts before the settled edge ends at or before it: final, kept. The rest is read again next time.
            var settledMs = Rollups.PeriodStart(toMs - (long)Settle.TotalMilliseconds, slice);
            if (settledMs <= _untilMs)
            {
                return [.. _kept, .. read];
            }

            _kept.AddRange(read.Where(s => s.StartMs < settledMs));
            _untilMs = settledMs;
            return [.. _kept, .. read.Where(s => s.StartMs >= settledMs)];
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Keeps what still holds for [<paramref name="fromMs"/>, <paramref name="toMs"/>), and forgets the rest.</summary>
    private void Reuse(long fromMs, long toMs)
    {
        if (fromMs == _fromMs && toMs >= _untilMs)
        {
            return;
        }

        // The window slid to a slice's edge inside what is kept: the slices from there on were counted whole.
        if (fromMs % _sliceMs == 0 && fromMs > _fromMs && fromMs <= _untilMs && toMs >= _untilMs)
        {
            _kept.RemoveAll(s => s.StartMs < fromMs);
            _fromMs = fromMs;
            return;
        }

        // A new change (or a clock that went back): count from the start.
        _kept = [];
        _fromMs = fromMs;
        _untilMs = fromMs;
    }
}
