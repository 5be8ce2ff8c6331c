namespace Cutover.Server.Contracts;

/// <summary>Health's lines (<c>Health:*</c>): unified's error rate and p95 above these are warn, then critical.</summary>
public sealed record SeriesThresholdsView(double ErrorRateWarnPct, double ErrorRateCriticalPct, double P95WarnMs, double P95CriticalMs);
