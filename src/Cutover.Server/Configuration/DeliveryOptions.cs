using Cutover.Core.Delivery;

namespace Cutover.Server.Configuration;

/// <summary><c>Delivery:*</c>: how webhooks reach upstreams, and for <c>queued</c> delivery its retries, workers and queue.</summary>
public sealed class DeliveryOptions
{
    /// <summary>
    /// <c>direct</c> (default): forward during Meta's request and answer with the outcome. <c>queued</c>: store each
    /// webhook durably, answer 200 at once, and deliver it with retries, fallback, per-person order and dead letters.
    /// </summary>
    public DeliveryMode Mode { get; set; } = CutoverDefaults.DeliveryMode;

    /// <summary>The first retry waits up to this long (full jitter); each next one up to twice as long. Default 2 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBase { get; set; } = RetrySchedule.Default.Base;

    /// <summary>No retry waits longer than this (unless the upstream's Retry-After asks, up to this too). Default 4 h.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryCap { get; set; } = RetrySchedule.Default.Cap;

    /// <summary>Attempts before an update goes to the dead letters (reason <c>attempts_exhausted</c>). Default 24.</summary>
    [ConfigRange(1, RetrySchedule.AttemptsLimit)]
    public int MaxAttempts { get; set; } = RetrySchedule.Default.MaxAttempts;

    /// <summary>An update not delivered this long after Cutover accepted it goes to the dead letters (<c>max_age</c>). Default 3 days.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxAge { get; set; } = RetrySchedule.Default.MaxAge;

    /// <summary>How many updates this instance delivers at once, across every upstream. Default 64.</summary>
    [ConfigRange(1, 4_096)]
    public int Workers { get; set; } = CutoverDefaults.DeliveryWorkers;

    /// <summary>How many updates this instance delivers at once to one upstream, so a slow handler cannot take every worker. Default 32.</summary>
    [ConfigRange(1, 4_096)]
    public int ConcurrencyPerUpstream { get; set; } = CutoverDefaults.DeliveryConcurrencyPerUpstream;

    /// <summary>
    /// How long a claimed update belongs to the instance delivering it. An instance that dies with work in hand loses it
    /// to the others (or to itself, restarted) after this. At least twice the longest upstream <c>TimeoutMs</c>. Default 1 min.
    /// </summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = CutoverDefaults.DeliveryLease;

    /// <summary>How often an idle worker looks for due work (new webhooks on this instance wake it at once). Default 250 ms.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = CutoverDefaults.DeliveryPollInterval;

    /// <summary>At most this many webhooks are made durable in one commit. Default 64.</summary>
    [ConfigRange(1, 1_000)]
    public int CommitMaxGroup { get; set; } = CutoverDefaults.DeliveryCommitMaxGroup;

    /// <summary>How long a commit waits for more webhooks to join it once the first has come. Default 2 ms.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00", "00:00:00.100")]
    public TimeSpan CommitLinger { get; set; } = CutoverDefaults.DeliveryCommitLinger;

    /// <summary>An update seen again within this time of its first acceptance is acknowledged and not delivered again. Default 7 days (Meta retries for 7 days).</summary>
    [ConfigRange(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan DedupWindow { get; set; } = CutoverDefaults.DeliveryDedupWindow;

    /// <summary>Delivered updates (and their stored webhooks) are deleted this long after delivery. Default 1 day. Dead letters are kept until replayed or purged.</summary>
    [ConfigRange(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan KeepDelivered { get; set; } = CutoverDefaults.DeliveryKeepDelivered;

    /// <summary>Failures in a row after which an upstream's circuit opens: it is probed, not hammered. Default 5.</summary>
    [ConfigRange(1, 1_000)]
    public int BreakAfterFailures { get; set; } = CutoverDefaults.DeliveryBreakAfterFailures;

    /// <summary>How long an open circuit waits before its first probe (doubling while probes fail, up to 5 minutes). Default 10 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan BreakDuration { get; set; } = CutoverDefaults.DeliveryBreakDuration;

    /// <summary>The oldest undelivered update older than this makes the backlog health check warn. Default 1 min.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan BacklogWarnAge { get; set; } = CutoverDefaults.DeliveryBacklogWarnAge;

    /// <summary>The oldest undelivered update older than this makes the backlog health check critical. Default 10 min.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan BacklogCriticalAge { get; set; } = CutoverDefaults.DeliveryBacklogCriticalAge;

    /// <summary>
    /// Updates of users on the unified route dead-lettered within <c>Health:RecentWindow</c> that make the dead-letter
    /// health check critical (one already warns). Default 10.
    /// </summary>
    [ConfigRange(1, 1_000_000)]
    public int DeadLetterCritical { get; set; } = CutoverDefaults.DeliveryDeadLetterCritical;

    /// <summary>The retry schedule these options describe.</summary>
    internal RetrySchedule Schedule => new(RetryBase, RetryCap, MaxAttempts, MaxAge);

    /// <summary>The circuit breaker every upstream gets.</summary>
    internal CircuitBreakerOptions Breaker => new() { FailureThreshold = BreakAfterFailures, BreakDuration = BreakDuration };
}
