namespace Cutover.Server.Contracts;

/// <summary>
/// The data of a <c>change</c> event on <c>GET /admin/events</c>: what the dashboard watches, as versions and states.
/// Any field differing from the previous event's is the change; the page re-reads the JSON endpoints, it does not apply
/// this. <c>store_available</c> false: the store did not answer, and the other fields are the last ones read.
/// </summary>
public sealed record ChangeEventView(
    long RoutingVersion,
    long RolloutVersion,
    string Rollout,
    long LastEventId,
    string Health,
    bool StoreAvailable);
