using System.Globalization;
using Cutover.Core.Classification;

namespace Cutover.Core.Routing;

/// <summary>Sentences for people: why an update got its domain and its route. Not used on the hot path.</summary>
public static class DecisionExplainer
{
    public static string Explain(in UpdateDecision decision) =>
        decision.Reason == RouteReason.Field ? WhyDomain(decision) : $"{WhyDomain(decision)}; {WhyRoute(decision)}{WhoIs(decision)}";

    /// <summary>How the update's identifier led to the person, when another identifier did (a BSUID first seen with a phone).</summary>
    public static string WhoIs(in UpdateDecision d) =>
        d.Person.Via is { } via ? $" (person first seen as {d.PersonKey}, through {via})" : string.Empty;

    public static string WhyDomain(in UpdateDecision d) => d.Rule switch
    {
        ClassificationRule.Override => "operator override pins the domain",
        ClassificationRule.PhoneNumberId => $"business number {d.Evidence}",
        ClassificationRule.Interactive => $"reply id starts with '{d.Evidence}'",
        ClassificationRule.Keyword => $"keyword '{d.Evidence}'",
        ClassificationRule.Memory => "continues the user's conversation",
        ClassificationRule.Field => $"field {d.Evidence} is sent to {d.Upstream}",
        ClassificationRule.Fallback => "nothing matched",
        ClassificationRule.Conversation => "a status follows the person's last inbound message (conversation window)",
        _ => d.Rule.ToString(),
    };

    public static string WhyRoute(in UpdateDecision d) => d.Reason switch
    {
        RouteReason.Field => d.Route == Route.Unified ? "unified" : "legacy",
        RouteReason.Protected => "protected domain: always legacy",
        RouteReason.Disabled => "routing disabled: legacy",
        RouteReason.NotRoutable => "domain not routable: legacy",
        RouteReason.OverrideUnified => "operator override: unified",
        RouteReason.OverrideLegacy => "operator override: legacy",
        RouteReason.NoUserKey => "no user key to bucket: legacy",
        RouteReason.BucketBelow => $"bucket {d.Bucket} < {d.Threshold} ({Percent(d.Threshold)}): unified",
        RouteReason.BucketAbove => $"bucket {d.Bucket} ≥ {d.Threshold} ({Percent(d.Threshold)}): legacy",
        RouteReason.Conversation => $"that message went to {d.Route.ToName()}: {d.Route.ToName()}",
        _ => d.Reason.ToString(),
    };

    private static string Percent(int threshold) =>
        (threshold / 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
