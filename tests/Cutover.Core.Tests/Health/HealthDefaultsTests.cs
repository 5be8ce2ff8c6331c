using Cutover.Core.Health;

namespace Cutover.Core.Tests.Health;

public sealed class HealthDefaultsTests
{
    [Fact]
    public void Thresholds_New_TakeEveryDefaultFromHealthDefaults()
    {
        var thresholds = new HealthThresholds();

        Assert.Equal(
            (HealthDefaults.ErrorRateWarnPct, HealthDefaults.ErrorRateCriticalPct, HealthDefaults.P95WarnMs, HealthDefaults.P95CriticalMs),
            (thresholds.ErrorRateWarnPct, thresholds.ErrorRateCriticalPct, thresholds.P95WarnMs, thresholds.P95CriticalMs));
        Assert.Equal(
            (HealthDefaults.MinErrors, HealthDefaults.MinRequests, HealthDefaults.SplitTolerancePoints, HealthDefaults.HandlerFailureMinInvocations),
            (thresholds.MinErrors, thresholds.MinRequests, thresholds.SplitTolerancePoints, thresholds.HandlerFailureMinInvocations));
        Assert.Equal(HealthDefaults.Alpha, thresholds.ErrorComparison.Alpha);
        Assert.Equal(
            (HealthDefaults.LatencyRatio, HealthDefaults.LatencySlackMs, HealthDefaults.LatencyMinRequests),
            (thresholds.LatencyComparison.Ratio, thresholds.LatencyComparison.SlackMs, thresholds.LatencyComparison.MinRequestsPerSide));
    }

    [Fact]
    public void Defaults_AreTheRunbooks()
    {
        // The documented defaults (docs/configuration.md, Health): a change here is a change of the contract.
        Assert.Equal((0.1, 0.5, 2000.0, 3000.0),
            (HealthDefaults.ErrorRateWarnPct, HealthDefaults.ErrorRateCriticalPct, HealthDefaults.P95WarnMs, HealthDefaults.P95CriticalMs));
        Assert.Equal((5L, 100L, 2.0, 0.01, 1.25, 50.0, 200L, 5L),
            (HealthDefaults.MinErrors, HealthDefaults.MinRequests, HealthDefaults.SplitTolerancePoints, HealthDefaults.Alpha,
             HealthDefaults.LatencyRatio, HealthDefaults.LatencySlackMs, HealthDefaults.LatencyMinRequests, HealthDefaults.HandlerFailureMinInvocations));
    }
}
