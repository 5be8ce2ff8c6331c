using Cutover.Core.Classification;
using Cutover.Core.Identity;

namespace Cutover.Core.Routing;

/// <summary>
/// What the router decided for one update and why: the domain and the rule that found it (with the
/// keyword, prefix or phone number id that hit), the person and their bucket, the route and its reason, the
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
    string Upstream,
    IdentityMatch Person = default)
{
    /// <summary>The person's key (the identifier first seen), which the decision log stores as the user key.</summary>
    public string? PersonKey => Person.Key;
}
