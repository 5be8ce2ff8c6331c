using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Errors;
using Cutover.Core.Identity;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Cluster;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Route = Cutover.Core.Routing.Route;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>GET /admin/users/{id}</c>: one person, by any of their identifiers: who they are (the identifiers linked to them,
/// in stored form), their bucket, the side they are on in each domain now, where their last inbound message went, and
/// their last line in the decision log.
/// </summary>
internal sealed class UserEndpoints(
    SharedIdentities identities,
    RoutingMemory memory,
    RoutingService routing,
    IClusterStore cluster,
    IDecisionStore decisions,
    UserKeyProtection protection,
    TimeProvider time)
{
    public static void Map(RouteGroupBuilder group)
    {
        var (read, _) = AdminPolicies.Split(group);
        read.MapGet("/users/{id}", static (HttpContext c, string id, UserEndpoints api) => api.UserAsync(id, c.RequestAborted));
    }

    public async Task<IResult> UserAsync(string id, CancellationToken cancellationToken)
    {
        // What a webhook could name: a plain token (the parser digests anything else, so no person has another shape).
        if (!WebhookIds.IsPlain(id))
        {
            return Refuse(AdminError.InvalidUser,
                "a user is a WhatsApp id: a phone number's digits or a business-scoped id such as US.1234…, 1 to 128 printable ASCII characters");
        }

        var hasher = protection.Hasher;
        var asked = hasher.Protect(id)!;
        var snapshot = routing.Current;
        var now = time.GetUtcNow();

        // Memory first (what this instance routes by), then the store (what any instance learned).
        var person = identities.Map.Find(id);
        var stored = await cluster.FindPersonAsync(asked, cancellationToken);
        var storedPerson = person is not null ? hasher.Protect(person.Key)! : stored.Count > 0 ? stored[0].Person : asked;
        var bucket = person?.Bucket ?? (stored.Count > 0 ? stored[0].Bucket : snapshot.Topology.Bucketing.BucketOf(id));
        var known = person is not null || stored.Count > 0;

        var identifiers = new List<UserIdentifierView>();
        foreach (var entry in stored)
        {
            identifiers.Add(new UserIdentifierView(entry.Identifier, entry.FirstSeen, entry.Identifier == asked));
        }

        foreach (var raw in person?.Identifiers ?? [])
        {
            var form = hasher.Protect(raw)!;
            if (!identifiers.Exists(i => i.Identifier == form))
            {
                identifiers.Add(new UserIdentifierView(form, null, form == asked));
            }
        }

        if (identifiers.Count == 0)
        {
            identifiers.Add(new UserIdentifierView(asked, null, Asked: true));
        }

        var pin = Router.PinOf(person, snapshot.State, identities.Map) ?? (snapshot.State.Overrides.TryGetValue(id, out var own) ? own : null);
        var pinKey = pin is null ? null : snapshot.State.Overrides.First(o => ReferenceEquals(o.Value, pin)).Key;
        var last = (await decisions.QueryDecisionsAsync(new DecisionQuery(Limit: 1, UserKey: storedPerson), cancellationToken)).FirstOrDefault();

        return Json(new UserView(
            id,
            known,
            storedPerson,
            person?.FirstSeen ?? (stored.Count > 0 ? stored.Min(e => e.FirstSeen) : null),
            bucket,
            identifiers,
            pin is null ? null : new OverrideView(pinKey!, pin.Route?.ToName(), pin.Domain, pin.Actor, pin.Reason, pin.At),
            RoutesOf(bucket, pin, snapshot),
            Inbound(person, now),
            last == default ? null : Decision(last)), ServerJson.Default.UserView);
    }

    private static List<UserRouteView> RoutesOf(int bucket, UserOverride? pin, RoutingSnapshot snapshot)
    {
        var routes = new List<UserRouteView>();
        foreach (var domain in snapshot.Topology.Domains.Keys.Order(StringComparer.Ordinal))
        {
            var (route, reason, threshold) = Router.RouteOf(domain, bucket, pin, snapshot);
            var upstream = route == Route.Unified ? RouterTopology.UnifiedUpstream : snapshot.Topology.LegacyUpstreamOf(domain);
            var decision = new UpdateDecision(domain, ClassificationRule.Fallback, null, bucket, route, reason, threshold, upstream);
            routes.Add(new UserRouteView(domain, route.ToName(), upstream, DecisionExplainer.WhyRoute(decision)));
        }

        return routes;
    }

    private UserInboundView? Inbound(Person? person, DateTimeOffset now)
    {
        // Looked up over the longest window worth showing; whether statuses still follow it is the configured window's call.
        if (person is null || !memory.Conversations.TryRecallInbound(person.Key, now, TimeSpan.MaxValue, out var inbound)
            || inbound.Upstream is null)
        {
            return null;
        }

        return new UserInboundView(inbound.Domain, inbound.Route.ToName(), inbound.Upstream, inbound.At,
            now - inbound.At <= memory.ConversationWindow);
    }

    private static UserDecisionView Decision(DecisionRecord d) => new(
        d.At, d.CorrelationId, d.Kind.ToName(), d.Domain, d.Rule.ToName(), d.Route.ToName(), d.Upstream, d.StatusCode, d.Success, d.Fallback);
}
