namespace Cutover.Server.Configuration;

/// <summary>
/// <c>Health:*</c>: the thresholds unified is judged against. The error and p95 defaults are the runbooks'
/// (warn above 0.1% / 2000 ms, critical above 0.5% / 3000 ms).
/// </summary>
public sealed class HealthOptions
{
    /// <summary>The window of the absolute checks, the latency comparison and handler coverage. Default 1 hour.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A short window the error-rate and p95 guards also look at, so a sudden failure is not diluted by an hour of good
    /// traffic; the worse of the two counts once it has <see cref="MinRequests"/>. Default 2 minutes.
    /// </summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromMinutes(2);

    public double ErrorRateWarnPct { get; set; } = 0.1;

    public double ErrorRateCriticalPct { get; set; } = 0.5;

    public double P95WarnMs { get; set; } = 2000;

    public double P95CriticalMs { get; set; } = 3000;

    /// <summary>
    /// Failures the error-rate guard needs before a rate above its thresholds counts: at 150 updates one failure is
    /// 0.67%, above the critical 0.5%, and says nothing. Default 5.
    /// </summary>
    public long MinErrors { get; set; } = 5;

    /// <summary>Requests a check needs before it judges. Default 100.</summary>
    public long MinRequests { get; set; } = 100;

    /// <summary>How far the unified share may be from the configured percent at high volume, in points. Default 2.</summary>
    public double SplitTolerancePoints { get; set; } = 2;

    /// <summary>The false alarm rate of the sequential comparison with legacy, over a whole rollout step. Default 0.01.</summary>
    public double Alpha { get; set; } = 0.01;

    /// <summary>Unified's p95 may be legacy's × this + <see cref="LatencySlackMs"/>. Default 1.25.</summary>
    public double LatencyRatio { get; set; } = 1.25;

    public double LatencySlackMs { get; set; } = 50;

    /// <summary>Requests each side needs before p95s are compared. Default 200.</summary>
    public long LatencyMinRequests { get; set; } = 200;

    /// <summary>How often each upstream's <c>HealthUrl</c> is polled. Default 15 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a probe may take before it counts as failed. Default 5 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Failed probes in a row before unified's is critical (legacy's warn): one blip is not an outage. Default 2.</summary>
    public int ProbeFailures { get; set; } = 2;

    /// <summary>Every request of a handler failed, at least this many: critical. Default 5.</summary>
    public long HandlerFailureMinInvocations { get; set; } = 5;
}
