using System.Text.Json;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
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

    public static StatsResponse Stats(StatsReport report, TimeSpan window) => new(
        StatsWindow.Format(window),
        report.From,
        report.To,
        [.. report.Routes.Select(RouteStats)],
        [.. report.Handlers.Select(static h => new HandlerStatsView(
            h.Handler, h.Route.ToName(), h.Invocations, Ms(h.AvgResponseMs), Ms(h.P95Ms), h.Failures, h.FailureRatePct, h.LastSeen))],
        new StatsTotals(RouteStats(report.Total(Route.Unified)), RouteStats(report.Total(Route.Legacy))));

    public static RouteStatsView RouteStats(RouteStats s) => new(
        s.Domain, s.Route.ToName(), s.RequestCount, Ms(s.AvgResponseMs), Ms(s.P50Ms), Ms(s.P95Ms), Ms(s.P99Ms), s.ErrorCount,
        s.ErrorRatePct, s.FallbackCount, s.SharePct, s.LastRequest);

    /// <summary>Milliseconds to the microsecond: finer than the sketch's 1% at any latency worth reading.</summary>
    private static double? Ms(double? value) => value is { } v ? Math.Round(v, 3) : null;

    public static HealthResponse Health(HealthReport report) => new(
        report.State.ToName(),
        report.At,
        [.. report.Checks.Select(static c => new HealthCheckView(c.Name, c.State.ToName(), Round(c.Value), Round(c.Threshold), c.Message))]);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;

    public static BaselineView Baseline(Baseline b) => new(
        b.Id, b.CapturedAt, StatsWindow.Format(b.Window), b.Actor, b.Reason, [.. b.Domains.Select(BaselineDomain)], BaselineDomain(b.Total));

    private static BaselineDomainView BaselineDomain(BaselineDomain d) => new(d.Domain, d.Requests, Ms(d.AvgResponseMs), Ms(d.P95Ms), d.ErrorRatePct);
}
