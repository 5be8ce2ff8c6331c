using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Cutover.Server.DecisionLog;

namespace Cutover.Server.Admin;

/// <summary>Turns the inside (state, audit events, counters) into the admin API's contract records.</summary>
internal static class ContractMapper
{
    public static StatusResponse Status(
        RoutingSnapshot snapshot, DecisionLogCounters log, StoreStatus store, string delivery, string userKeys, DateTimeOffset startedAt)
    {
        var state = snapshot.State;
        var domains = new Dictionary<string, DomainStatus>(StringComparer.Ordinal);
        foreach (var spec in snapshot.Topology.Domains.Values.OrderBy(static d => d.Name, StringComparer.Ordinal))
        {
            var routable = snapshot.IsRoutable(spec.Name);
            domains[spec.Name] = new DomainStatus(
                routable ? state.PercentFor(spec.Name) : 0m,
                state.DomainPercents.TryGetValue(spec.Name, out var own) ? own : null,
                routable,
                spec.Protected,
                spec.LegacyUpstream);
        }

        return new StatusResponse(
            state.Enabled,
            state.Percent,
            state.Version,
            state.UpdatedAt,
            domains,
            state.Overrides.Count,
            new DecisionLogStatus(log.Queued, log.Capacity, log.Written, log.Dropped, log.Failed),
            store,
            delivery,
            userKeys,
            startedAt,
            typeof(ContractMapper).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    public static RoutingResponse Routing(RoutingState state) => new(
        state.Enabled,
        state.Percent,
        state.DomainPercents.ToDictionary(StringComparer.Ordinal),
        [.. state.Routable],
        [.. state.Overrides.Select(static o => new OverrideView(o.Key, o.Value.Route?.ToName(), o.Value.Domain, o.Value.Actor, o.Value.Reason, o.Value.At))],
        state.Version,
        state.UpdatedAt);

    public static HistoryEvent History(AuditEvent e) =>
        new(e.Id, e.At, e.Kind, e.Actor, e.Reason, Json(e.Before), Json(e.After));

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
