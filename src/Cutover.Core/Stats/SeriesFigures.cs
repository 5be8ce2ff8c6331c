namespace Cutover.Core.Stats;

/// <summary>One route in one minute: requests, those its route failed, their share in percent, and p95 (null without requests).</summary>
public sealed record SeriesFigures(long Requests, long Errors, double ErrorRatePct, double? P95Ms)
{
    public static readonly SeriesFigures Empty = new(0, 0, 0, null);
}
