namespace Cutover.Core.Health;

/// <summary>
/// The defaults of the health thresholds, in one place: <see cref="HealthThresholds"/>, the comparison options and the
/// server's <c>Health:*</c> options all start from these, so the documented defaults cannot drift apart. The error and
/// p95 ones are the runbooks' (warn above 0.1% / 2 s, critical above 0.5% / 3 s).
/// </summary>
public static class HealthDefaults
{
    public const double ErrorRateWarnPct = 0.1;

    public const double ErrorRateCriticalPct = 0.5;

    public const double P95WarnMs = 2000;

    public const double P95CriticalMs = 3000;

    /// <summary>Failures the error-rate guard needs before a rate counts: at 150 updates one failure is 0.67%.</summary>
    public const long MinErrors = 5;

    public const long MinRequests = 100;

    public const double SplitTolerancePoints = 2;

    /// <summary>The false alarm rate of the sequential error comparison with legacy.</summary>
    public const double Alpha = 0.01;

    public const double LatencyRatio = 1.25;

    public const double LatencySlackMs = 50;

    public const long LatencyMinRequests = 200;

    public const long HandlerFailureMinInvocations = 5;
}
