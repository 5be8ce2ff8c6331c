namespace Cutover.Core.Routing;

/// <summary>
/// One domain in a <see cref="Simulation"/>: the share of buckets that goes to unified now and at the proposal (0 when
/// the domain is protected, not routable or routing is disabled), and its counts.
/// </summary>
public sealed record DomainSimulation(string Domain, bool Protected, decimal PercentNow, decimal PercentProposed, SimulationCounts Counts);
