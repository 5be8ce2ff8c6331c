namespace Cutover.Core.Routing;

/// <summary>
/// The users (distinct) and requests (updates) of one domain, or of every domain, in a <see cref="Simulation"/>: all
/// of them, those on unified now and at the proposal, those that would move each way, and the users an operator's
/// route override holds where they are.
/// </summary>
public sealed record SimulationCounts(
    long Users,
    long Requests,
    long UnifiedUsersNow,
    long UnifiedRequestsNow,
    long UnifiedUsersProposed,
    long UnifiedRequestsProposed,
    long UsersToUnified,
    long RequestsToUnified,
    long UsersToLegacy,
    long RequestsToLegacy,
    long PinnedUsers);
