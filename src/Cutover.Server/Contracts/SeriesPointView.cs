namespace Cutover.Server.Contracts;

/// <summary>One minute in <c>/admin/stats/series</c>: when it starts, and each route's figures in it.</summary>
public sealed record SeriesPointView(DateTimeOffset At, SeriesRouteView Unified, SeriesRouteView Legacy);
