using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Core.Classification;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Text;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.DecisionLog;
using Cutover.Server.Health;
using Cutover.Server.Hosting;
using Cutover.Server.HotPath;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Route = Cutover.Core.Routing.Route;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Admin;

/// <summary>
/// The <c>/admin</c> endpoints: read the routing state and history, change it (operate tokens, a reason
/// always required), explain a payload. Every answer is JSON; every refusal names the problem.
/// </summary>
internal sealed partial class AdminApi(
    AdminAuthenticator authenticator,
    RoutingService routing,
    IStoreDatabase store,
    IRoutingStore audit,
    IHealthStore healthStore,
    IRolloutStore rolloutStore,
    IStatsStore statsStore,
    DecisionLogQueue decisionLog,
    IConversationMemory memory,
    IOptions<CutoverOptions> options,
    ServerClock clock,
    StatsService stats,
    HealthService health,
    RolloutService rollouts,
    ProbeService probes,
    InstanceIdentity instance,
    RolloutLeadership leadership,
    SecurityWarnings warnings,
    TimeProvider time,
    ILogger<AdminApi> logger)
{
    private const int MaxHistory = 10_000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/status", static (HttpContext c, AdminApi api) => api.StatusAsync(c));
        app.MapGet("/admin/routing", static (HttpContext c, AdminApi api) => api.RoutingAsync(c));
        app.MapPut("/admin/routing", static (HttpContext c, AdminApi api) => api.SetRoutingAsync(c));
        app.MapPost("/admin/enable", static (HttpContext c, AdminApi api) => api.SetEnabledAsync(c, true));
        app.MapPost("/admin/disable", static (HttpContext c, AdminApi api) => api.SetEnabledAsync(c, false));
        app.MapGet("/admin/overrides", static (HttpContext c, AdminApi api) => api.OverridesAsync(c));
        app.MapGet("/admin/overrides/{user}", static (HttpContext c, string user, AdminApi api) => api.OverrideAsync(c, user));
        app.MapPut("/admin/overrides/{user}", static (HttpContext c, string user, AdminApi api) => api.SetOverrideAsync(c, user));
        app.MapDelete("/admin/overrides/{user}", static (HttpContext c, string user, AdminApi api) => api.ClearOverrideAsync(c, user));
        app.MapGet("/admin/history", static (HttpContext c, AdminApi api) => api.HistoryAsync(c));
        app.MapPost("/admin/explain", static (HttpContext c, AdminApi api) => api.ExplainAsync(c));
        app.MapGet("/admin/stats", static (HttpContext c, AdminApi api) => api.StatsAsync(c));
        app.MapGet("/admin/health", static (HttpContext c, AdminApi api) => api.HealthAsync(c));
        MapRollout(app);
        app.MapGet("/admin/baseline", static (HttpContext c, AdminApi api) => api.BaselineAsync(c));
        app.MapPost("/admin/baseline", static (HttpContext c, AdminApi api) => api.CaptureBaselineAsync(c));
        MapSimulate(app);
    }

    public Task<IResult> StatusAsync(HttpContext context) => WithRole(context, AdminRole.Read, _ =>
        Task.FromResult(Json(BuildStatus(), ServerJson.Default.StatusResponse)));

    public Task<IResult> RoutingAsync(HttpContext context) => WithRole(context, AdminRole.Read, _ =>
        Task.FromResult(Json(ContractMapper.Routing(routing.Current.State), ServerJson.Default.RoutingResponse)));

    public Task<IResult> SetRoutingAsync(HttpContext context) => WithRole(context, AdminRole.Operate, async principal =>
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.RoutingRequest);
        if (request is null)
        {
            return problem!;
        }

        var changes = new List<RoutingChange>();
        if (request.Routable is { } routable)
        {
            if (request.Domain is null)
            {
                return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "'routable' needs a 'domain'");
            }

            changes.Add(new RoutingChange.SetRoutable(request.Domain, routable));
        }

        switch (request.Percent.ValueKind)
        {
            case JsonValueKind.Undefined:
                break;
            case JsonValueKind.Null when request.Domain is not null:
                changes.Add(new RoutingChange.InheritPercent(request.Domain));
                break;
            case JsonValueKind.Number when request.Percent.TryGetDecimal(out var percent):
                changes.Add(new RoutingChange.SetPercent(percent, request.Domain));
                break;
            default:
                return Refuse(StatusCodes.Status400BadRequest, "invalid_percent",
                    $"'percent' must be a number from 0 to 100 (or null with a domain), not {request.Percent.GetRawText()}");
        }

        if (changes.Count == 0)
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "nothing to change: give 'percent' and/or 'routable'");
        }

        // A running rollout owns the percent; two hands on it would fight at every evaluation.
        if (changes.Any(static c => c is RoutingChange.SetPercent or RoutingChange.InheritPercent)
            && await rollouts.CurrentAsync(context.RequestAborted) is { } rollout && rollout.Status.IsActive())
        {
            return Refuse(StatusCodes.Status409Conflict, "rollout_active",
                $"a rollout is {rollout.Status.ToName()} at {rollout.Percent:0.##}% and owns the percent (paused or not): use rollout abort or rollback");
        }

        return await ChangeAsync(context, principal, changes, request.Reason);
    });

    public Task<IResult> SetEnabledAsync(HttpContext context, bool enabled) => WithRole(context, AdminRole.Operate, async principal =>
    {
        // No body at all is a change without a reason: say that, rather than that the JSON is invalid.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return await ChangeAsync(context, principal, [new RoutingChange.SetEnabled(enabled)], reason: null);
        }

        var (request, problem) = await ReadAsync(context, ServerJson.Default.ReasonRequest);
        return request is null ? problem! : await ChangeAsync(context, principal, [new RoutingChange.SetEnabled(enabled)], request.Reason);
    });

    public Task<IResult> OverridesAsync(HttpContext context) => WithRole(context, AdminRole.Read, _ =>
        Task.FromResult(Json(ContractMapper.Routing(routing.Current.State).Overrides, OverrideListInfo)));

    public Task<IResult> OverrideAsync(HttpContext context, string user) => WithRole(context, AdminRole.Read, _ =>
    {
        var view = ContractMapper.Routing(routing.Current.State).Overrides.FirstOrDefault(o => o.User == user);
        return Task.FromResult(view is null
            ? Refuse(StatusCodes.Status404NotFound, "not_found", "this user has no override")
            : Json(view, ServerJson.Default.OverrideView));
    });

    public Task<IResult> SetOverrideAsync(HttpContext context, string user) => WithRole(context, AdminRole.Operate, async principal =>
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.OverrideRequest);
        if (request is null)
        {
            return problem!;
        }

        Route? route = null;
        if (request.Route is not null)
        {
            if (!RouteNames.TryParse(request.Route, out var parsed))
            {
                return Refuse(StatusCodes.Status400BadRequest, "invalid_override", $"'route' must be unified or legacy, not '{request.Route}'");
            }

            route = parsed;
        }

        return await ChangeAsync(context, principal, [new RoutingChange.SetOverride(user, route, request.Domain)], request.Reason);
    });

    public Task<IResult> ClearOverrideAsync(HttpContext context, string user) => WithRole(context, AdminRole.Operate, async principal =>
    {
        string? reason = context.Request.Query["reason"];
        if (reason is null && context.Request.ContentLength > 0)
        {
            var (request, problem) = await ReadAsync(context, ServerJson.Default.ReasonRequest);
            if (request is null)
            {
                return problem!;
            }

            reason = request.Reason;
        }

        return await ChangeAsync(context, principal, [new RoutingChange.ClearOverride(user)], reason);
    });

    public Task<IResult> HistoryAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
    {
        var query = context.Request.Query;
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxHistory))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'limit' must be a whole number from 1 to {MaxHistory}, not '{limitText}'");
        }

        DateTimeOffset? since = null;
        if (query.TryGetValue("since", out var sinceText))
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'since' must be an ISO 8601 time, not '{sinceText}'");
            }

            since = parsed;
        }

        string? kind = query["kind"];
        var events = await audit.HistoryAsync(new HistoryQuery(limit, since, kind), context.RequestAborted);
        return Json(new HistoryResponse([.. events.Select(ContractMapper.History)]), ServerJson.Default.HistoryResponse);
    });

    public Task<IResult> ExplainAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
    {
        var body = await RequestBody.ReadAsync(context.Request, options.Value.Ingress.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
                $"the payload is larger than {options.Value.Ingress.MaxBodyBytes} bytes (Cutover:Ingress:MaxBodyBytes)");
        }

        using (body)
        {
            if (!Explainer.TryExplain(body.Span, routing.Current, memory, time.GetUtcNow(), out var updates, out var error))
            {
                return Refuse(StatusCodes.Status400BadRequest, "malformed_payload", error!);
            }

            return Json(new ExplainResponse(updates), ServerJson.Default.ExplainResponse);
        }
    });

    public Task<IResult> StatsAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
    {
        var window = StatsWindow.Default;
        if (context.Request.Query.TryGetValue("window", out var text) && !StatsWindow.TryParse(text, out window, out var problem))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'window': {problem}");
        }

        var report = await stats.ComputeAsync(window, context.RequestAborted);
        var baseline = await healthStore.LatestBaselineAsync(context.RequestAborted);
        return Json(ContractMapper.Stats(report, window) with { Baseline = baseline is null ? null : ContractMapper.Baseline(baseline) },
            ServerJson.Default.StatsResponse);
    });

    /// <summary>
    /// Judges health now and stores the verdict, so SQL's <c>check_routing_health()</c> agrees with the last
    /// <c>cutover health</c>.
    /// </summary>
    public Task<IResult> HealthAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
    {
        var report = await health.EvaluateAsync(context.RequestAborted);
        await healthStore.SaveHealthAsync(new HealthSnapshot(instance.Id, report), context.RequestAborted);
        return Json(ContractMapper.Health(report), ServerJson.Default.HealthResponse);
    });

    private InstanceStatus InstanceStatus()
    {
        var o = options.Value;
        return new InstanceStatus(instance.Id, leadership.IsLeader, leadership.LeaderSince, o.Memory.IsShared(o.Store.Provider));
    }

    public Task<IResult> BaselineAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
        await healthStore.LatestBaselineAsync(context.RequestAborted) is { } baseline
            ? Json(ContractMapper.Baseline(baseline), ServerJson.Default.BaselineView)
            : Refuse(StatusCodes.Status404NotFound, "no_baseline", "no baseline has been captured: POST /admin/baseline (cutover baseline capture)"));

    /// <summary>Captures legacy's figures over a window ending now, as they are before (or early in) the migration.</summary>
    public Task<IResult> CaptureBaselineAsync(HttpContext context) => WithRole(context, AdminRole.Operate, async principal =>
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
            return Refuse(StatusCodes.Status400BadRequest, "reason_invalid", reasonProblem.Message);
        }

        var window = TimeSpan.FromHours(24);
        if (request?.Window is { } text && !StatsWindow.TryParse(text, out window, out var windowProblem))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'window': {windowProblem}");
        }

        var report = await stats.ComputeAsync(window, context.RequestAborted);
        if (report.Total(Route.Legacy).RequestCount == 0)
        {
            return Refuse(StatusCodes.Status409Conflict, "no_legacy_traffic",
                $"legacy took no requests in the last {StatsWindow.Format(window)}: nothing to capture; send traffic through Cutover first");
        }

        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "baseline capture" : request.Reason.Trim();
        var baseline = await healthStore.SaveBaselineAsync(Baseline.Capture(report, window, principal.Name, reason, time.GetUtcNow()), context.RequestAborted);
        return Json(ContractMapper.Baseline(baseline), ServerJson.Default.BaselineView);
    });

    public StatusResponse BuildStatus()
    {
        var o = options.Value;
        return ContractMapper.Status(routing.Current, decisionLog.Counters, new StoreStatus(store.Provider, store.Location),
            EnumNameConverter<DeliveryMode>.NameOf(o.Delivery.Mode), EnumNameConverter<UserKeysMode>.NameOf(o.Privacy.UserKeys), clock.StartedAt) with
        {
            Instance = InstanceStatus(),
            Warnings = warnings.All,
            Probes = probes.Results.ToDictionary(
                static r => r.Upstream, static r => new ProbeView(r.Ok, r.StatusCode, Math.Round(r.LatencyMs, 1), r.FailuresInARow, r.Detail, r.At),
                StringComparer.Ordinal),
        };
    }

    private async Task<IResult> ChangeAsync(HttpContext context, AdminPrincipal principal, List<RoutingChange> changes, string? reason)
    {
        var applied = await routing.ApplyAsync(changes, principal.Name, reason, context.RequestAborted);
        if (!applied.Succeeded)
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCode(applied.Error), applied.Message!);
        }

        List<HistoryEvent> events = [.. applied.Events.Select(ContractMapper.History)];
        return Json(new ChangeResponse(events.Count > 0, events, BuildStatus()), ServerJson.Default.ChangeResponse);
    }

    private async Task<IResult> WithRole(HttpContext context, AdminRole role, Func<AdminPrincipal, Task<IResult>> action)
    {
        var (principal, status, problem) = authenticator.Authenticate(context, role);
        if (principal is null)
        {
            LogMessages.AdminRefused(logger, status, problem!);
            return Refuse(status, status == StatusCodes.Status401Unauthorized ? "unauthorized" : "forbidden", problem!);
        }

        try
        {
            return await action(principal);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException
            || (ex is StoreException { InnerException: not null }))
        {
            // The database is away: say so (503, the kind of failure only: a driver's message may name hosts or users)
            // rather than a bare 500. Routing goes on meanwhile; a change can be made again when the store is back.
            return Refuse(StatusCodes.Status503ServiceUnavailable, "store_unavailable",
                $"the store did not answer ({StoreAvailability.Describe(ex)}); routing goes on from the last state loaded, try again later");
        }
    }

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
            return value is null
                ? (null, Refuse(StatusCodes.Status400BadRequest, "invalid_request", "the body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"the body is not valid JSON for this request: {ex.Message}"));
        }
    }

    private static string ErrorCode(ChangeError error) => error switch
    {
        ChangeError.ReasonRequired => "reason_required",
        ChangeError.InvalidReason => "reason_invalid",
        ChangeError.InvalidPercent => "invalid_percent",
        ChangeError.UnknownDomain => "unknown_domain",
        ChangeError.ProtectedDomain => "protected_domain",
        ChangeError.InvalidUser => "invalid_user",
        ChangeError.InvalidOverride => "invalid_override",
        _ => "invalid_request",
    };

    private static IResult Refuse(int status, string error, string message) =>
        Results.Json(new ErrorBody(error, message), ServerJson.Default.ErrorBody, statusCode: status);

    private static IResult Json<T>(T value, JsonTypeInfo<T> type) => Results.Json(value, type);

    private static JsonTypeInfo<List<OverrideView>> OverrideListInfo => ServerJson.Default.ListOverrideView;
}
