using Cutover.Core.Health;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.DecisionLog;
using Cutover.Server.Health;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Hosting;

/// <summary>
/// <c>GET /</c>: one glance, no token: whether routing is loaded and on, the percent, decision log drops, and the last
/// health verdict with what is not ok (and the security warnings). 503 only until the routing state was first loaded.
/// </summary>
internal sealed class SummaryHandler(RoutingStateHolder holder, DecisionLogQueue log, HealthService health, SecurityWarnings warnings)
{
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        if (!holder.IsReady)
        {
            return Results.Json(new HealthSummary("starting", false, 0, 0, 0), ServerJson.Default.HealthSummary, statusCode: 503);
        }

        var state = holder.Current.State;
        string judged;
        List<string> findings;
        try
        {
            var report = await health.RecentAsync(context.RequestAborted);
            judged = report.State.ToName();
            findings = [.. report.Checks.Where(static k => k.State != HealthState.Ok).Select(static k => $"{k.Name}: {k.Message}")];
        }
        catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or TimeoutException)
        {
            // Routing goes on from memory; only the judgement needs the store.
            (judged, findings) = ("unknown", [$"store: {(ex is StoreException { InnerException: null } ? ex.Message : StoreAvailability.Describe(ex))}"]);
        }

        findings.AddRange(warnings.All.Select(static w => $"security: {w}"));

        return Results.Json(
            new HealthSummary("ok", state.Enabled, state.Percent, state.Version, log.Counters.Dropped, judged, findings),
            ServerJson.Default.HealthSummary);
    }
}
