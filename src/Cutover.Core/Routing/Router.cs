using Cutover.Core.Classification;
using Cutover.Core.Identity;
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
    /// <remarks>For tools and tests that only care about conversations: each call starts a fresh identity map (so nobody is
    /// linked across calls, and it costs a map per call). The server decides with one long-lived <see cref="RoutingMemory"/>.</remarks>
    public static void Decide(
        ParsedWebhook webhook, RoutingSnapshot snapshot, IConversationMemory memory, DateTimeOffset now, Span<UpdateDecision> decisions) =>
        Decide(webhook, snapshot, RoutingMemory.Of(memory), now, decisions);

    /// <inheritdoc cref="Decide(ParsedWebhook, RoutingSnapshot, IConversationMemory, DateTimeOffset, Span{UpdateDecision})"/>
    public static void Decide(
        ParsedWebhook webhook, RoutingSnapshot snapshot, RoutingMemory memory, DateTimeOffset now, Span<UpdateDecision> decisions)
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
        in WebhookUpdate update, ReadOnlySpan<char> text, RoutingSnapshot snapshot, IConversationMemory memory, DateTimeOffset now) =>
        DecideOne(in update, text, snapshot, RoutingMemory.Of(memory), now);

    public static UpdateDecision DecideOne(
        in WebhookUpdate update, ReadOnlySpan<char> text, RoutingSnapshot snapshot, RoutingMemory memory, DateTimeOffset now)
    {
        var topology = snapshot.Topology;

        // Who this is: every identifier of one person gives the bucket of the one seen first.
        var person = memory.Identities.Resolve(in update, topology.Bucketing, now);
        var bucket = person.Bucket;
        var personKey = person.Key;

        // A change of another field carries no conversation: it goes where its field is configured to go.
        if (update.Kind == UpdateKind.Change && !ReferenceEquals(update.Field, WebhookParser.MessagesField) && update.Field.Length > 0)
        {
            var upstream = topology.UpstreamOfField(update.Field);
            if (upstream != RouterTopology.UnifiedUpstream)
            {
                return new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Legacy,
                    RouteReason.Field, -1, upstream, person);
            }

            // The kill switch sends everything to legacy, a field configured for unified too.
            return snapshot.State.Enabled
                ? new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Unified,
                    RouteReason.Field, -1, upstream, person)
                : new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Field, update.Field, bucket, Route.Legacy,
                    RouteReason.Disabled, -1, topology.LegacyUpstreamOf(RouterTopology.FallbackDomain), person);
        }

        var pin = PinOf(person.Person, snapshot.State, memory.Identities);

        // A status follows the person's last inbound message: the handler that received it is the one that replied.
        if (update.Kind == UpdateKind.Status && personKey is not null && pin?.Domain is null
            && memory.Conversations.TryRecallInbound(personKey, now, memory.ConversationWindow, out var inbound))
        {
            return FollowConversation(inbound, bucket, person, snapshot);
        }

        var (domain, rule, evidence) = Classifier.Classify(in update, text, topology, pin, memory.Conversations, personKey, now);
        var decision = RouteOf(domain, rule, evidence, bucket, pin, snapshot, person);
        if (update.Kind == UpdateKind.Message && personKey is not null)
        {
            memory.Conversations.RememberInbound(personKey, rule != ClassificationRule.Fallback ? domain : null,
                new InboundRoute(domain, decision.Route, decision.Upstream, now.UtcTicks));
        }

        return decision;
    }

    /// <summary>An operator's pin on any of the person's identifiers (the first found, in the order they were learned).</summary>
    public static UserOverride? PinOf(Person? person, RoutingState state, IdentityMap identities)
    {
        if (person is null || state.Overrides.IsEmpty)
        {
            return null;
        }

        if (state.Overrides.TryGetValue(person.Key, out var pin))
        {
            return pin;
        }

        foreach (var identifier in person.Identifiers)
        {
            if (state.Overrides.TryGetValue(identifier, out pin))
            {
                return pin;
            }
        }

        // A person learned from another instance is keyed by the stored form of an identifier this one never saw raw:
        // an override on that identifier is found by protecting each override's key (few, and cached by the hasher).
        if (person.Key.StartsWith(WebhookIds.ProtectedPrefix, StringComparison.Ordinal))
        {
            foreach (var (key, value) in state.Overrides)
            {
                if (identities.IsFirstIdentifierOf(person, key))
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static UpdateDecision FollowConversation(InboundRoute inbound, int bucket, IdentityMatch person, RoutingSnapshot snapshot)
    {
        var topology = snapshot.Topology;
        var domain = topology.Domains.ContainsKey(inbound.Domain) ? inbound.Domain : RouterTopology.FallbackDomain;

        // A protected domain and the kill switch still send everything to legacy: the conversation only chooses between
        // routes that routing allows at all.
        var (route, reason) = topology.IsProtected(domain) ? (Route.Legacy, RouteReason.Protected)
            : !snapshot.State.Enabled ? (Route.Legacy, RouteReason.Disabled)
            : (inbound.Route, RouteReason.Conversation);
        var upstream = route == Route.Unified ? RouterTopology.UnifiedUpstream : topology.LegacyUpstreamOf(domain);
        return new UpdateDecision(domain, ClassificationRule.Conversation, null, bucket, route, reason, -1, upstream, person);
    }

    private static UpdateDecision RouteOf(
        string domain, ClassificationRule rule, string? evidence, int bucket, UserOverride? pin, RoutingSnapshot snapshot, IdentityMatch person)
    {
        var (route, reason, threshold) = RouteOf(domain, bucket, pin, snapshot);
        return new UpdateDecision(domain, rule, evidence, bucket, route, reason, threshold,
            route == Route.Unified ? RouterTopology.UnifiedUpstream : snapshot.Topology.LegacyUpstreamOf(domain), person);
    }

    /// <summary>
    /// Step 3 alone: the route of an update of <paramref name="domain"/> from a user in <paramref name="bucket"/> (−1
    /// without a user key) with <paramref name="pin"/>, and the threshold it was judged against (−1 when none applied).
    /// <see cref="PercentSimulator"/> calls this too, so a prediction can never follow other rules than the router.
    /// </summary>
    public static (Route Route, RouteReason Reason, int Threshold) RouteOf(string domain, int bucket, UserOverride? pin, RoutingSnapshot snapshot)
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
