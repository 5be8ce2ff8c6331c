using Cutover.Core.Classification;

namespace Cutover.Core.Routing;

/// <summary>
/// What the router decided for one update and why: the domain and the rule that found it (with the
/// keyword, prefix or phone number id that hit), the user's bucket, the route and its reason, the
/// upstream. Strings are references to configuration, so a decision allocates nothing.
/// </summary>
public readonly record struct UpdateDecision(
    string Domain,
    ClassificationRule Rule,
    string? Evidence,
    int Bucket,
    Route Route,
    RouteReason Reason,
    int Threshold,
    string Upstream);
