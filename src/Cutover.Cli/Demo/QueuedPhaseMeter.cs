using Cutover.Store;

namespace Cutover.Cli.Demo;

/// <summary>Adds up one phase of the queued demo as it runs: the sender's bursts and the queue's readings.</summary>
internal sealed class QueuedPhaseMeter(string name, string story, TimeSpan startedAt, QueueStats atStart)
{
    private readonly List<double> _ackMs = [];
    private long _posts;
    private long _updates;
    private long _backlogPeak;
    private readonly long _deliveredAtStart = atStart.Delivered;
    private QueueStats _last = atStart;
    private TimeSpan _elapsed;
    private bool _done;

    public string Name => name;

    public TimeSpan StartedAt => startedAt;

    /// <summary>Every acknowledgement time of the phase, for the whole run's figures.</summary>
    public IReadOnlyList<double> AckMs => _ackMs;

    public long BacklogPeak => _backlogPeak;

    public void Sent(SentBurst burst)
    {
        _posts += burst.AckMs.Count;
        _updates += burst.Updates;
        _ackMs.AddRange(burst.AckMs);
    }

    public void Observe(QueueStats stats, TimeSpan now)
    {
        _last = stats;
        _backlogPeak = Math.Max(_backlogPeak, Backlog(stats));
        _elapsed = now - startedAt;
    }

    public void End() => _done = true;

    public QueuedPhaseRow Row()
    {
        var sorted = _ackMs.Order().ToArray();
        return new QueuedPhaseRow(
            name, story, _elapsed, _posts, _updates, Percentile(sorted, 0.50), Percentile(sorted, 0.99), _backlogPeak, Backlog(_last),
            _last.Delivered - _deliveredAtStart, _last.Dead, _done);
    }

    /// <summary>Updates accepted and not yet delivered nor dead: waiting (retries included) or in flight.</summary>
    public static long Backlog(QueueStats stats) => stats.Pending + stats.InFlight;

    /// <summary>Nearest rank: the smallest value with at least <paramref name="q"/> of the values at or below it; null for none.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
