namespace Cutover.Core.Routing;

/// <summary>
/// What a routing change would do to the users seen in a window: per domain (every configured domain, and any other
/// the log names, by name), and over all domains, where a user active in several domains counts once.
/// </summary>
public sealed record Simulation(IReadOnlyList<DomainSimulation> Domains, SimulationCounts Totals);
