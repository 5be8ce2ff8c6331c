namespace Cutover.Cli.Demo;

/// <summary>
/// What the queued demo shows after each tick: real time, the phase now and its story, the queue now (backlog, delivered,
/// dead letters kept), how many of the upstreams' circuits are open, and every phase so far, this one last.
/// </summary>
internal sealed record QueuedLook(
    TimeSpan Real,
    string Phase,
    string Story,
    long Backlog,
    long Delivered,
    long DeadLetters,
    int OpenCircuits,
    int Circuits,
    IReadOnlyList<string> Down,
    IReadOnlyList<QueuedPhaseRow> Phases);
