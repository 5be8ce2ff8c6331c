namespace Cutover.Core.Health;

/// <summary>The latency rule's verdict with every number it used, so a health check can show its work.</summary>
public sealed record LatencyComparisonResult
{
    public required LatencyVerdict Verdict { get; init; }

    public required double UnifiedP95Ms { get; init; }

    public required double LegacyP95Ms { get; init; }

    public required long UnifiedRequests { get; init; }

    public required long LegacyRequests { get; init; }

    /// <summary>The minimum sample each side needed.</summary>
    public required long MinRequestsPerSide { get; init; }

    /// <summary>Legacy p95 × ratio + slack: the largest unified p95 that passes.</summary>
    public required double AllowedP95Ms { get; init; }

    /// <summary>More unified requests needed before judging; 0 when there are enough.</summary>
    public required long UnifiedRequestsNeeded { get; init; }

    /// <summary>More legacy requests needed before judging; 0 when there are enough.</summary>
    public required long LegacyRequestsNeeded { get; init; }
}
