namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/stats?window=1h</c>: per domain × route, per handler, and the totals, from rollups.</summary>
public sealed record StatsResponse(
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<RouteStatsView> Routes,
    IReadOnlyList<HandlerStatsView> Handlers,
    StatsTotals Totals,
    BaselineView? Baseline = null);
