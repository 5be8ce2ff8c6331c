namespace Cutover.Cli.Demo;

/// <summary>
/// One phase of the queued demo so far (or done, when <see cref="Done"/>): POSTs and updates sent, acknowledgement
/// times at the sender (null before the first POST, and in phases without traffic), the backlog (pending and in
/// flight) at its highest and at the phase's end, updates delivered during it, and dead letters kept at its end.
/// </summary>
internal sealed record QueuedPhaseRow(
    string Name,
    string Story,
    TimeSpan Elapsed,
    long Posts,
    long Updates,
    double? AckP50Ms,
    double? AckP99Ms,
    long BacklogPeak,
    long BacklogEnd,
    long Delivered,
    long DeadLetters,
    bool Done);
