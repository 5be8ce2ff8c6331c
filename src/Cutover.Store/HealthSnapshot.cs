using Cutover.Core.Health;

namespace Cutover.Store;

/// <summary>
/// The health as last judged by an instance, kept in the store so that SQL (<c>check_routing_health()</c>) and other
/// instances see the same verdict as <c>cutover health</c>.
/// </summary>
public sealed record HealthSnapshot(string Instance, HealthReport Report);
