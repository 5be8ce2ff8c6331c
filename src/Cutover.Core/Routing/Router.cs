using Cutover.Core.Classification;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Routing;

/// <summary>
/// Decides, for each update of a parsed webhook, its domain (DESIGN step 2) and its route and upstream
/// (step 3). Pure apart from the conversation memory it is handed.
/// </summary>
public static class Router
{
    /// <summary>
    /// Decides every update of <paramref name="webhook"/> in document order, so a "yes" after a property
    /// message in the same POST stays in property. Writes one decision per update into <paramref name="decisions"/>.
    /// </summary>
    public static void Decide(
        ParsedWebhook webhook, RoutingSnapshot snapshot, IConversationMemory memory, DateTimeOffset now, Span<UpdateDecision> decisions)
    {
        if (decisions.Length < webhook.Count)
        {
            throw new ArgumentException("one decision slot is needed per update", nameof(decisions));
        }

        for (var i = 0; i < webhook.Count; i++)
        {
            decisions[i] = DecideOne(in webhook[i], webhook.TextOf(i), snapshot, memory, now);
        }
    }

    public static UpdateDecision DecideOne(
        in WebhookUpdate update, ReadOnlySpan<char> text, RoutingSnapshot snapshot, IConversationMemory memory, DateTimeOffset now)
    {
        var topology = snapshot.Topology;
        var bucket = update.UserKey is null ? -1 : topology.Bucketing.BucketOf(update.UserKey);

        // A change of another field carries no conversation: it goes where its field is configured to go.
        if (update.Kind == UpdateKind.Change && !ReferenceEquals(update.Field, WebhookParser.MessagesField) && update.Field.Length > 0)
        {
            var upstream = topology.UpstreamOfField(update.Field);
            if (upstream != RouterTopology.UnifiedUpstream)
            {
                return new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Legacy,
                    RouteReason.Field, -1, upstream);
            }

            // The kill switch sends everything to legacy, a field configured for unified too.
            return snapshot.State.Enabled
                ? new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Unified,
                    RouteReason.Field, -1, upstream)
                : new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Legacy,
                    RouteReason.Disabled, -1, topology.LegacyUpstreamOf(RouterTopology.FallbackDomain));
        }

        UserOverride? pin = null;
        if (update.UserKey is not null && !snapshot.State.Overrides.IsEmpty)
        {
            snapshot.State.Overrides.TryGetValue(update.UserKey, out pin);
        }

        var (domain, rule, evidence) = Classifier.Classify(in update, text, topology, pin, memory, now);
        if (update.Kind == UpdateKind.Message && update.UserKey is not null && rule != ClassificationRule.Fallback)
        {
            memory.Remember(update.UserKey, domain, now);
        }

        return RouteOf(domain, rule, evidence, bucket, pin, snapshot);
    }

    private static UpdateDecision RouteOf(
        string domain, ClassificationRule rule, string? evidence, int bucket, UserOverride? pin, RoutingSnapshot snapshot)
    {
        var (route, reason, threshold) = RouteOf(domain, bucket, pin, snapshot);
        return new UpdateDecision(domain, rule, evidence, bucket, route, reason, threshold,
            route == Route.Unified ? RouterTopology.UnifiedUpstream : snapshot.Topology.LegacyUpstreamOf(domain));
    }

    /// <summary>
    /// Step 3 alone: the route of an update of <paramref name="domain"/> from a user in <paramref name="bucket"/> (−1
    /// without a user key) with <paramref name="pin"/>, and the threshold it was judged against (−1 when none applied).
    /// <see cref="PercentSimulator"/> calls this too, so a prediction can never follow other rules than the router.
    /// </summary>
    internal static (Route Route, RouteReason Reason, int Threshold) RouteOf(string domain, int bucket, UserOverride? pin, RoutingSnapshot snapshot)
    {
        if (snapshot.Topology.IsProtected(domain))
        {
            return (Route.Legacy, RouteReason.Protected, -1);
        }

        if (!snapshot.State.Enabled)
        {
            return (Route.Legacy, RouteReason.Disabled, -1);
        }

        var threshold = snapshot.ThresholdOf(domain);
        if (threshold < 0)
        {
            return (Route.Legacy, RouteReason.NotRoutable, -1);
        }

        if (pin?.Route is { } forced)
        {
            return forced == Route.Unified
                ? (Route.Unified, RouteReason.OverrideUnified, threshold)
                : (Route.Legacy, RouteReason.OverrideLegacy, threshold);
        }

        if (bucket < 0)
        {
            return (Route.Legacy, RouteReason.NoUserKey, threshold);
        }

        return bucket < threshold
            ? (Route.Unified, RouteReason.BucketBelow, threshold)
            : (Route.Legacy, RouteReason.BucketAbove, threshold);
    }
}
