using System.Globalization;

namespace Cutover.Cli.Demo;

/// <summary>
/// The story <c>cutover demo --delivery queued</c> tells and the configuration that makes it fit in half a minute of
/// real time: a retry schedule in tens of milliseconds instead of seconds, few attempts and short circuit breaks, so an
/// outage of a few seconds produces a backlog, retries and some dead letters, and the backlog drains in seconds after it.
/// </summary>
internal static class QueuedScenario
{
    /// <summary>Users of the routable domains on unified: half, so both routes and the fallback between them are seen.</summary>
    public const decimal UnifiedPercent = 50m;

    /// <summary>Traffic runs in ticks: a burst of <see cref="PostsPerTick"/> POSTs (about 2.6 updates each) per tick.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    public const int PostsPerTick = 20;

    /// <summary>The first retry waits up to this (full jitter), each next one up to twice as long.</summary>
    public static readonly TimeSpan RetryBase = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan RetryCap = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Few enough that some updates run out during the every-handler outage; the real default is 24. Only some: an open
    /// circuit holds the queue back without spending its attempts, so only the updates tried before the circuits open
    /// and those that carry their probes die.
    /// </summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// Failures in a row that open an upstream's circuit (the default is 5). At 5 an outage left one or two dead letters
    /// in trial runs; at 10 the first retries fail before the circuits open, and a dozen or a few dozen die.
    /// </summary>
    public const int BreakAfterFailures = 10;

    /// <summary>An open circuit's first break, doubling while its probes fail, so the drain starts within a break of the return.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the demo waits for a backlog to drain before it gives up and says so.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Why the dead letters are replayed, as an operator would write it for <c>cutover dlq replay --reason</c>.</summary>
    public const string ReplayReason = "every handler is back after the outage; replay what died during it";

    public const string Unified = "unified";

    /// <summary>Every handler the router knows: unified and the legacy ones.</summary>
    public static IReadOnlyList<string> Everyone => DemoUpstreams.Names;

    public static IReadOnlyList<QueuedPhase> Phases { get; } =
    [
        new("normal", "every handler up", TimeSpan.FromSeconds(3), []),
        new("unified down", "unified answers 503 to everything: its updates fall back to legacy", TimeSpan.FromSeconds(4), [Unified]),
        new("all down", "every handler answers 503: acks stay fast, the backlog rises, some updates run out of attempts", TimeSpan.FromSeconds(6), Everyone),
        new("back", "every handler up again: the backlog drains", TimeSpan.FromSeconds(4), []),
    ];

    /// <summary>The phase the summary quotes for acknowledgements under a full outage and for the backlog's peak.</summary>
    public static QueuedPhase EveryoneDown => Phases[2];

    /// <summary>The phase the handlers come back in, from which the summary times the drain.</summary>
    public static QueuedPhase Back => Phases[3];

    /// <summary>The configuration keys the demo's router runs with, beside its store, secret and upstreams.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Cutover:Delivery:Mode"] = "queued",
        ["Cutover:Delivery:RetryBase"] = Span(RetryBase),
        ["Cutover:Delivery:RetryCap"] = Span(RetryCap),
        ["Cutover:Delivery:MaxAttempts"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
        ["Cutover:Delivery:BreakAfterFailures"] = BreakAfterFailures.ToString(CultureInfo.InvariantCulture),
        ["Cutover:Delivery:BreakDuration"] = Span(BreakDuration),

        // A released update (its circuit open) or a retry due soon is looked for this often; the default, 250 ms, is a tick.
        ["Cutover:Delivery:PollInterval"] = "00:00:00.020",

        // The decision log is written as in serve; a short flush keeps it from holding the stop.
        ["Cutover:DecisionLog:FlushInterval"] = "00:00:00.050",
    };

    private static string Span(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);
}
