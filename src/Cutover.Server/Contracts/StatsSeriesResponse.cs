namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/stats/series?window=1h</c>: one point per minute of the window (the last one unfinished), each with
/// unified's and legacy's figures over all domains, and health's thresholds to draw them against.
/// </summary>
public sealed record StatsSeriesResponse(
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    SeriesThresholdsView Thresholds,
    IReadOnlyList<SeriesPointView> Points);
