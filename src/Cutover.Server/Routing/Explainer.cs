using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Contracts;

namespace Cutover.Server.Routing;

/// <summary>
/// What the router would do with a payload, update by update, and why, without sending anything or
/// changing what the router remembers: identities and conversation memory are read, and writes stay inside the payload.
/// </summary>
public static class Explainer
{
    public static bool TryExplain(
        ReadOnlySpan<byte> payload, RoutingSnapshot snapshot, RoutingMemory memory, DateTimeOffset now,
        out List<ExplainedUpdate> updates, out string? error)
    {
        var parsed = new ParsedWebhook();
        updates = [];
        if (!WebhookParser.TryParse(payload, parsed, out error))
        {
            return false;
        }

        // Read-only: what the router knows is read, what the payload teaches stays inside it.
        var overlay = memory.ReadOnly();
        for (var i = 0; i < parsed.Count; i++)
        {
            ref readonly var update = ref parsed[i];
            var d = Router.DecideOne(in update, parsed.TextOf(i), snapshot, overlay, now);
            updates.Add(new ExplainedUpdate(
                i,
                update.Kind.ToName(),
                update.Field,
                update.Kind == UpdateKind.Status ? update.IdempotencyKey : update.Id,
                update.MessageType,
                update.UserKey,
                d.PersonKey,
                d.Person.Via,
                d.Domain,
                d.Rule.ToName(),
                d.Evidence,
                d.Bucket >= 0 ? d.Bucket : null,
                d.Route.ToName(),
                d.Upstream,
                DecisionExplainer.Explain(d)));
        }

        return true;
    }
}
