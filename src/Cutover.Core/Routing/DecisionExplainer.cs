using System.Globalization;
using Cutover.Core.Classification;

namespace Cutover.Core.Routing;

/// <summary>Sentences for people: why an update got its domain and its route. Not used on the hot path.</summary>
public static class DecisionExplainer
{
    public static string Explain(in UpdateDecision decision) => $"{WhyDomain(decision)}; {WhyRoute(decision)}";

    public static string WhyDomain(in UpdateDecision d) => d.Rule switch
    {
        ClassificationRule.Override => $"operator override pins the user to {d.Domain}",
        ClassificationRule.PhoneNumberId => $"business number {d.Evidence} belongs to {d.Domain}",
        ClassificationRule.Interactive => $"reply id starts with '{d.Evidence}' ({d.Domain})",
        ClassificationRule.Keyword => $"keyword '{d.Evidence}' ({d.Domain})",
        ClassificationRule.Memory => $"continues the user's {d.Domain} conversation",
        ClassificationRule.Field => $"field {d.Evidence} goes to upstream {d.Upstream}",
        ClassificationRule.Fallback => "nothing matched, so the fallback domain",
        _ => d.Rule.ToString(),
    };

    public static string WhyRoute(in UpdateDecision d) => d.Reason switch
    {
        RouteReason.Field => d.Route == Route.Unified ? "configured to unified" : "configured to legacy",
        RouteReason.Protected => $"{d.Domain} is protected: always legacy",
        RouteReason.Disabled => "routing is disabled: legacy",
        RouteReason.NotRoutable => $"{d.Domain} is not routable: legacy",
        RouteReason.OverrideUnified => "operator override forces unified",
        RouteReason.OverrideLegacy => "operator override forces legacy",
        RouteReason.NoUserKey => "no user key to bucket: legacy",
        RouteReason.BucketBelow => $"bucket {d.Bucket} < {d.Threshold} ({Percent(d.Threshold)} of {d.Domain}): unified",
        RouteReason.BucketAbove => $"bucket {d.Bucket} ≥ {d.Threshold} ({Percent(d.Threshold)} of {d.Domain}): legacy",
        _ => d.Reason.ToString(),
    };

    private static string Percent(int threshold) =>
        (threshold / 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
