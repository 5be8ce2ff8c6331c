namespace Cutover.Server.Contracts;

/// <summary>Unified against legacy over every domain.</summary>
public sealed record StatsTotals(RouteStatsView Unified, RouteStatsView Legacy);
