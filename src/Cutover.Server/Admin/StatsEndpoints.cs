using Cutover.Core.Errors;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Server.Cluster;
using Cutover.Server.Contracts;
using Cutover.Server.Health;
using Cutover.Server.Stats;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Route = Cutover.Core.Routing.Route;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary><c>/admin/stats</c>, <c>/admin/health</c> and <c>/admin/baseline</c>: the figures, the verdict on them, and legacy's figures to compare with.</summary>
internal sealed class StatsEndpoints(
    StatsService stats,
    HealthService health,
    IHealthStore healthStore,
    InstanceIdentity instance,
    TimeProvider time)
{
    public static void Map(RouteGroupBuilder group)
    {
        var (read, operate) = AdminPolicies.Split(group);
        read.MapGet("/stats", static (HttpContext c, StatsEndpoints api) => api.StatsAsync(c));
        read.MapGet("/stats/series", static (HttpContext c, StatsEndpoints api) => api.SeriesAsync(c));
        read.MapGet("/health", static (HttpContext c, StatsEndpoints api) => api.HealthAsync(c));
        read.MapGet("/baseline", static (HttpContext c, StatsEndpoints api) => api.BaselineAsync(c));
        operate.MapPost("/baseline", static (HttpContext c, StatsEndpoints api) => api.CaptureBaselineAsync(c, AdminPrincipal.Of(c)));
    }

    public async Task<IResult> StatsAsync(HttpContext context)
    {
        var window = StatsWindow.Default;
        if (context.Request.Query.TryGetValue("window", out var text) && !StatsWindow.TryParse(text, out window, out var problem))
        {
            return Refuse(AdminError.InvalidRequest, $"'window': {problem}");
        }

        var report = await stats.ComputeAsync(window, context.RequestAborted);
        var baseline = await healthStore.LatestBaselineAsync(context.RequestAborted);
        return Json(ContractMapper.Stats(report, window) with { Baseline = baseline is null ? null : ContractMapper.Baseline(baseline) },
            ServerJson.Default.StatsResponse);
    }

    /// <summary>Per-minute figures for the dashboard's charts, a day at most, with health's thresholds to draw.</summary>
    public async Task<IResult> SeriesAsync(HttpContext context)
    {
        var window = StatsWindow.Default;
        if (context.Request.Query.TryGetValue("window", out var text) && !StatsWindow.TryParse(text, out window, out var problem))
        {
            return Refuse(AdminError.InvalidRequest, $"'window': {problem}");
        }

        if (window > StatsSeries.Longest)
        {
            return Refuse(AdminError.InvalidRequest, $"'window': '{text}' is longer than a series holds (1m to 24h, one point a minute)");
        }

        var points = await stats.SeriesAsync(window, context.RequestAborted);
        var thresholds = health.Thresholds;
        return Json(
            new StatsSeriesResponse(
                StatsWindow.Format(window),
                points.Count == 0 ? time.GetUtcNow() : points[0].At,
                time.GetUtcNow(),
                new SeriesThresholdsView(thresholds.ErrorRateWarnPct, thresholds.ErrorRateCriticalPct, thresholds.P95WarnMs, thresholds.P95CriticalMs),
                [.. points.Select(static p => new SeriesPointView(p.At, View(p.Unified), View(p.Legacy)))]),
            ServerJson.Default.StatsSeriesResponse);
    }

    private static SeriesRouteView View(SeriesFigures f) => new(f.Requests, f.Errors, f.ErrorRatePct, f.P95Ms);

    /// <summary>
    /// Judges health now and stores the verdict, so SQL's <c>check_routing_health()</c> agrees with the last
    /// <c>cutover health</c>.
    /// </summary>
    public async Task<IResult> HealthAsync(HttpContext context)
    {
        var report = await health.EvaluateAsync(context.RequestAborted);
        await healthStore.SaveHealthAsync(new HealthSnapshot(instance.Id, report), context.RequestAborted);
        return Json(ContractMapper.Health(report), ServerJson.Default.HealthResponse);
    }

    public async Task<IResult> BaselineAsync(HttpContext context) =>
        await healthStore.LatestBaselineAsync(context.RequestAborted) is { } baseline
            ? Json(ContractMapper.Baseline(baseline), ServerJson.Default.BaselineView)
            : Refuse(AdminError.NoBaseline, "no baseline has been captured: POST /admin/baseline (cutover baseline capture)");

    /// <summary>Captures legacy's figures over a window ending now, as they are before (or early in) the migration.</summary>
    public async Task<IResult> CaptureBaselineAsync(HttpContext context, AdminPrincipal principal)
    {
        BaselineRequest? request = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            var (read, problem) = await ReadAsync(context, ServerJson.Default.BaselineRequest);
            if (read is null)
            {
                return problem!;
            }

            request = read;
        }

        // Optional here (a default is recorded), but held to the same rule as every other reason.
        if (ReasonText.Check(request?.Reason, missing: null) is { } reasonProblem)
        {
            return Refuse(AdminError.ReasonInvalid, reasonProblem.Message);
        }

        var window = TimeSpan.FromHours(24);
        if (request?.Window is { } text && !StatsWindow.TryParse(text, out window, out var windowProblem))
        {
            return Refuse(AdminError.InvalidRequest, $"'window': {windowProblem}");
        }

        var report = await stats.ComputeAsync(window, context.RequestAborted);
        if (report.Total(Route.Legacy).RequestCount == 0)
        {
            return Refuse(AdminError.NoLegacyTraffic,
                $"legacy took no requests in the last {StatsWindow.Format(window)}: nothing to capture; send traffic through Cutover first");
        }

        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "baseline capture" : request.Reason.Trim();
        var baseline = await healthStore.SaveBaselineAsync(Baseline.Capture(report, window, principal.Name, reason, time.GetUtcNow()), context.RequestAborted);
        return Json(ContractMapper.Baseline(baseline), ServerJson.Default.BaselineView);
    }
}
