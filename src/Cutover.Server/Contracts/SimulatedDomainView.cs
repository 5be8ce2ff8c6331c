namespace Cutover.Server.Contracts;

/// <summary>
/// One domain (or <c>*</c>, every domain, where a user counts once) in <c>/admin/simulate</c>: the share of buckets on
/// unified now and at the proposal (null over all domains), users and requests in the window, those on unified now
/// and then, those that would move each way, and the users a route override holds in place.
/// </summary>
public sealed record SimulatedDomainView(
    string Domain,
    bool Protected,
    decimal? PercentNow,
    decimal? PercentProposed,
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
