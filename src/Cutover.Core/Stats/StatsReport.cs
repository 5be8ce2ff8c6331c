namespace Cutover.Core.Stats;

/// <summary>
/// Stats over [<see cref="From"/>, <see cref="To"/>): per domain × route, per handler, and per route over
/// all domains (<see cref="Totals"/>: unified first, then legacy, both always present).
/// </summary>
public sealed record StatsReport(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<RouteStats> Routes,
    IReadOnlyList<HandlerStats> Handlers,
    IReadOnlyList<RouteStats> Totals)
{
    /// <summary>The domain name of a total over every domain.</summary>
    public const string AllDomains = "*";

    public RouteStats Total(Routing.Route route) => Totals.First(t => t.Route == route);
}
