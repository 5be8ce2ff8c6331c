using System.Globalization;
using System.Text.Json;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Text;
using Route = Cutover.Core.Routing.Route;
using Cutover.Server.Contracts;
using Cutover.Server.Rollout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cutover.Server.Admin;

/// <summary>The rollout endpoints: read the plan and the rollout, drive it (operate), roll back (operate).</summary>
internal sealed partial class AdminApi
{
    private static void MapRollout(IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/rollout", static (HttpContext c, AdminApi api) => api.RolloutAsync(c));
        app.MapGet("/admin/rollout/plan", static (HttpContext c, AdminApi api) => api.RolloutPlanAsync(c));
        app.MapPost("/admin/rollout/{command}", static (HttpContext c, string command, AdminApi api) => api.RolloutCommandAsync(c, command));
        app.MapPost("/admin/rollback", static (HttpContext c, AdminApi api) => api.RollbackAsync(c));
        app.MapGet("/admin/rollbacks", static (HttpContext c, AdminApi api) => api.RollbacksAsync(c));
    }

    public Task<IResult> RolloutAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
        Json(await RolloutStatusAsync(context.RequestAborted), ServerJson.Default.RolloutStatusResponse));

    public Task<IResult> RolloutPlanAsync(HttpContext context) => WithRole(context, AdminRole.Read, _ =>
    {
        var plan = rollouts.Plan;
        var shortest = plan.Steps.Aggregate(TimeSpan.Zero, static (sum, s) => sum + s.Soak);
        return Task.FromResult(Json(
            new RolloutPlanResponse(
                EnumNameConverter<RolloutMode>.NameOf(plan.Mode),
                EnumNameConverter<CriticalAction>.NameOf(plan.OnCritical),
                rollouts.EvaluationInterval.ToString("c", CultureInfo.InvariantCulture),
                StepsOf(plan),
                shortest.ToString("c", CultureInfo.InvariantCulture)),
            ServerJson.Default.RolloutPlanResponse));
    });

    public Task<IResult> RolloutCommandAsync(HttpContext context, string command) => WithRole(context, AdminRole.Operate, async principal =>
    {
        if (command is not ("start" or "promote" or "pause" or "resume" or "abort"))
        {
            return Refuse(StatusCodes.Status404NotFound, "unknown_command",
                $"'{command}' is not a rollout command: use start, promote, pause, resume or abort");
        }

        var (request, problem) = await ReadOptionalAsync(context, ServerJson.Default.RolloutRequest);
        if (problem is not null)
        {
            return problem;
        }

        var reason = request?.Reason;
        var accept = request?.Accept ?? [];
        if (accept.Count > 0 && command != "promote")
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'accept' applies to promote only, not to {command}");
        }

        if (accept.Any(string.IsNullOrWhiteSpace))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "'accept' must list the names of gates, such as [\"split\"]");
        }

        var ct = context.RequestAborted;
        var outcome = command switch
        {
            "start" => await rollouts.StartAsync(request?.Domain, principal.Name, reason, ct),
            "promote" => await rollouts.PromoteAsync(principal.Name, reason, [.. accept.Select(static a => a.Trim()).Distinct(StringComparer.Ordinal)], ct),
            "pause" => await rollouts.PauseAsync(principal.Name, reason, ct),
            "resume" => await rollouts.ResumeAsync(principal.Name, reason, request?.Force == true, ct),
            _ => await rollouts.AbortAsync(principal.Name, reason, ct),
        };
        return await CommandResultAsync(outcome, ct);
    });

    public Task<IResult> RollbackAsync(HttpContext context) => WithRole(context, AdminRole.Operate, async principal =>
    {
        var (request, problem) = await ReadOptionalAsync(context, ServerJson.Default.RollbackRequest);
        if (problem is not null)
        {
            return problem;
        }

        var to = request?.To ?? 0;
        if (to is < 0 or > 100 || decimal.Round(to, 2) != to)
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_percent", $"'to' must be a percent from 0 to 100 with at most two decimals, not {to}");
        }

        return await CommandResultAsync(await rollouts.RollbackAsync(to, principal.Name, request?.Reason, context.RequestAborted), context.RequestAborted);
    });

    public Task<IResult> RollbacksAsync(HttpContext context) => WithRole(context, AdminRole.Read, async _ =>
    {
        var limit = 50;
        if (context.Request.Query.TryGetValue("limit", out var text)
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 10_000))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"'limit' must be a number from 1 to 10000, not '{text}'");
        }

        var rollbacks = await rolloutStore.RollbacksAsync(limit, context.RequestAborted);
        List<RollbackView> views = [.. rollbacks.Select(static r => new RollbackView(
            r.Id, r.At, r.Phase, r.Domain, r.FromPercent, r.ToPercent, r.Reason, r.Actor, JsonDocument.Parse(r.Metrics).RootElement.Clone()))];
        return Json(views, ServerJson.Default.ListRollbackView);
    });

    /// <summary>The rollout now, with each gate judged now and what the controller would do next.</summary>
    public async Task<RolloutStatusResponse> RolloutStatusAsync(CancellationToken cancellationToken)
    {
        var plan = rollouts.Plan;
        var state = await rollouts.CurrentAsync(cancellationToken);
        var now = time.GetUtcNow();
        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        var step = plan.Steps[index];
        var report = await health.EvaluateAsync(cancellationToken);
        var stepRequests = state.Status.IsActive() ? await rollouts.StepRequestsAsync(state, cancellationToken) : 0;
        double? soakLeft = state.Status.IsActive() && state.StepStartedAt is { } started
            ? Math.Max(0, (started + step.Soak - now).TotalSeconds)
            : null;

        List<HealthCheckView> gates = [.. ContractMapper.Health(report).Checks];
        if (state.Status.IsActive())
        {
            var enough = stepRequests >= step.MinRequests;
            gates.Insert(0, new HealthCheckView("step_requests", enough ? "ok" : "insufficient_data", stepRequests, step.MinRequests,
                enough
                    ? $"{stepRequests:N0} unified requests at this step, at least the {step.MinRequests:N0} it needs"
                    : $"{stepRequests:N0} unified requests at this step; it needs {step.MinRequests:N0}"));
        }

        return new RolloutStatusResponse(
            state.Status.ToName(),
            state.Status == RolloutStatus.Idle ? 0 : index + 1,
            plan.Steps.Count,
            state.Status == RolloutStatus.Idle ? routing.Current.State.Percent : state.Percent,
            EnumNameConverter<RolloutMode>.NameOf(plan.Mode),
            state.Status == RolloutStatus.Idle ? null : state.Domain,
            state.Paused,
            state.StartedAt,
            state.StepStartedAt,
            soakLeft,
            stepRequests,
            step.MinRequests,
            state.Note,
            Next(plan, state, report, stepRequests, now),
            gates,
            StepsOf(plan),
            state.Status == RolloutStatus.Complete ? await DecommissionAsync(state, now, cancellationToken) : null,
            InstanceStatus());
    }

    /// <summary>After a complete rollout, each domain of its scope: 30 days at 100%, no legacy traffic and no rollback in them.</summary>
    private async Task<List<DecommissionView>> DecommissionAsync(RolloutState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var quiet = TimeSpan.FromDays(30);
        var since = now - quiet;
        var atFull = state.StepStartedAt ?? now;
        var rows = await stats.ReadAsync(since, now, cancellationToken);
        var lastRollback = (await rolloutStore.RollbacksAsync(1, cancellationToken)).FirstOrDefault();
        var domains = state.Domain is { } d ? [d] : routing.Current.Topology.Domains.Keys.Where(routing.Current.IsRoutable).Order(StringComparer.Ordinal).ToList();
        var views = new List<DecommissionView>();
        foreach (var domain in domains)
        {
            var legacy = rows.Where(r => r.Domain == domain && r.Route == Route.Legacy).Sum(static r => r.Requests);
            var percent = routing.Current.State.PercentFor(domain);
            var reason = percent < 100 ? $"at {percent:0.##}%, not 100%"
                : atFull > since ? $"at 100% for {(now - atFull).TotalDays:0.#} of the 30 days"
                : lastRollback is { } r && r.At > since ? $"a rollback on {r.At:yyyy-MM-dd} is within the 30 days"
                : legacy > 0 ? $"legacy still took {legacy:N0} updates in the last 30 days"
                : null;
            views.Add(new DecommissionView(domain, reason is null, reason ?? "30 days at 100% with no legacy traffic and no rollback: its legacy handler can be retired"));
        }

        return views;
    }

    private static string Next(RolloutPlan plan, RolloutState state, HealthReport report, long stepRequests, DateTimeOffset now)
    {
        switch (state.Status)
        {
            case RolloutStatus.Idle:
                return "nothing runs: 'cutover rollout start --reason …' begins the plan";
            case RolloutStatus.Halted:
                return $"halted after a rollback ({state.Note}): 'cutover rollout resume' restarts step {state.Step + 1}, 'cutover rollout abort' ends it";
            case RolloutStatus.Complete:
                return "complete: every step soaked green";
        }

        var decision = RolloutDecider.Decide(plan, state, report, stepRequests, now);
        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        var then = index == plan.Steps.Count - 1 ? "the rollout completes"
            : plan.Mode == RolloutMode.Auto ? $"it advances to {plan.Steps[index + 1].Percent:0.##}%"
            : $"it waits for 'cutover rollout promote' to {plan.Steps[index + 1].Percent:0.##}%";
        return decision.Kind switch
        {
            RolloutDecisionKind.Rollback => $"at the next look: roll back to {decision.Next.Percent:0.##}% ({decision.Reason})",
            RolloutDecisionKind.None when state.Status == RolloutStatus.Soaking => $"{decision.Reason}; then, if every gate is green, {then}",
            RolloutDecisionKind.Advance or RolloutDecisionKind.Complete => $"at the next look: {decision.Reason}",
            _ => decision.Reason,
        };
    }

    private async Task<IResult> CommandResultAsync(RolloutOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.Succeeded)
        {
            var status = outcome.Error is "reason_required" or "reason_invalid" or "unknown_gate" ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
            return Refuse(status, outcome.Error!, outcome.Message);
        }

        return Json(
            new RolloutCommandResponse(
                [.. outcome.Events.Select(ContractMapper.History)],
                await RolloutStatusAsync(cancellationToken),
                outcome.Events.Count == 0 ? outcome.Message : null),
            ServerJson.Default.RolloutCommandResponse);
    }

    /// <summary>A body that may be absent (then the command says what it misses, such as a reason).</summary>
    private static async Task<(T? Value, IResult? Problem)> ReadOptionalAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
            ? (null, null)
            : await ReadAsync(context, type);

    private static List<RolloutStepView> StepsOf(RolloutPlan plan) =>
        [.. plan.Steps.Select(static (s, i) => new RolloutStepView(i + 1, s.Percent, s.Soak.ToString("c", CultureInfo.InvariantCulture), s.MinRequests))];
}
