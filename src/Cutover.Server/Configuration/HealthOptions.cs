using Cutover.Core.Health;

namespace Cutover.Server.Configuration;

/// <summary>
/// <c>Health:*</c>: the thresholds unified is judged against, and the upstream probes. The thresholds' defaults are
/// Core's <see cref="HealthDefaults"/> (the error and p95 ones are the runbooks': warn above 0.1% / 2000 ms, critical
/// above 0.5% / 3000 ms). A critical threshold at least its warning one, <see cref="RecentWindow"/> within
/// <see cref="Window"/> and <see cref="ProbeTimeout"/> within <see cref="ProbeInterval"/>: the rules.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>The window of the absolute checks, the latency comparison and handler coverage. Default 1 hour.</summary>
    [ConfigRange(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Window { get; set; } = CutoverDefaults.HealthWindow;

    /// <summary>
    /// A short window the error-rate and p95 guards also look at, so a sudden failure is not diluted by an hour of good
    /// traffic; the worse of the two counts once it has <see cref="MinRequests"/>. Default 2 minutes.
    /// </summary>
    [ConfigRange(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan RecentWindow { get; set; } = CutoverDefaults.HealthRecentWindow;

    [ConfigRange(0, 100)]
    public double ErrorRateWarnPct { get; set; } = HealthDefaults.ErrorRateWarnPct;

    [ConfigRange(0, 100)]
    public double ErrorRateCriticalPct { get; set; } = HealthDefaults.ErrorRateCriticalPct;

    [ConfigRange(1, 600_000)]
    public double P95WarnMs { get; set; } = HealthDefaults.P95WarnMs;

    [ConfigRange(1, 600_000)]
    public double P95CriticalMs { get; set; } = HealthDefaults.P95CriticalMs;

    /// <summary>
    /// Failures the error-rate guard needs before a rate above its thresholds counts: at 150 updates one failure is
    /// 0.67%, above the critical 0.5%, and says nothing. Default 5.
    /// </summary>
    [ConfigRange(typeof(long), "1", "1000000")]
    public long MinErrors { get; set; } = HealthDefaults.MinErrors;

    /// <summary>Requests a check needs before it judges. Default 100.</summary>
    [ConfigRange(typeof(long), "1", "100000000")]
    public long MinRequests { get; set; } = HealthDefaults.MinRequests;

    /// <summary>How far the unified share may be from the configured percent at high volume, in points. Default 2.</summary>
    [ConfigRange(0.1, 50)]
    public double SplitTolerancePoints { get; set; } = HealthDefaults.SplitTolerancePoints;

    /// <summary>The false alarm rate of the sequential comparison with legacy, over a whole rollout step. Default 0.01.</summary>
    [ConfigRange(1e-6, 0.2)]
    public double Alpha { get; set; } = HealthDefaults.Alpha;

    /// <summary>Unified's p95 may be legacy's × this + <see cref="LatencySlackMs"/>. Default 1.25.</summary>
    [ConfigRange(1, 10)]
    public double LatencyRatio { get; set; } = HealthDefaults.LatencyRatio;

    [ConfigRange(0, 60_000)]
    public double LatencySlackMs { get; set; } = HealthDefaults.LatencySlackMs;

    /// <summary>Requests each side needs before p95s are compared. Default 200.</summary>
    [ConfigRange(typeof(long), "1", "100000000")]
    public long LatencyMinRequests { get; set; } = HealthDefaults.LatencyMinRequests;

    /// <summary>How often each upstream's <c>HealthUrl</c> is polled. Default 15 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProbeInterval { get; set; } = CutoverDefaults.ProbeInterval;

    /// <summary>How long a probe may take before it counts as failed. Default 5 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan ProbeTimeout { get; set; } = CutoverDefaults.ProbeTimeout;

    /// <summary>Failed probes in a row before unified's is critical (legacy's warn): one blip is not an outage. Default 2.</summary>
    [ConfigRange(1, 100)]
    public int ProbeFailures { get; set; } = CutoverDefaults.ProbeFailures;

    /// <summary>Every request of a handler failed, at least this many: critical. Default 5.</summary>
    [ConfigRange(typeof(long), "1", "1000000")]
    public long HandlerFailureMinInvocations { get; set; } = HealthDefaults.HandlerFailureMinInvocations;
}
