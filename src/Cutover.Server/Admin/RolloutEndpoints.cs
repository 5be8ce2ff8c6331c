using System.Globalization;
using System.Text.Json;
using Cutover.Core.Errors;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Text;
using Route = Cutover.Core.Routing.Route;
using Cutover.Server.Contracts;
using Cutover.Server.Rollout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Cutover.Server.Health;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Store;
using Microsoft.AspNetCore.Routing;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary>The rollout endpoints: read the plan and the rollout, drive it (operate), roll back (operate).</summary>
internal sealed class RolloutEndpoints(
    RolloutService rollouts,
    RoutingService routing,
    HealthService health,
    StatsService stats,
    IRolloutStore rolloutStore,
    AdminStatus status,
    TimeProvider time)
{
    public static void Map(RouteGroupBuilder group)
    {
        var (read, operate) = AdminPolicies.Split(group);
        read.MapGet("/rollout", static (HttpContext c, RolloutEndpoints api) => api.RolloutAsync(c));
        read.MapGet("/rollout/plan", static (RolloutEndpoints api) => api.RolloutPlan());
        operate.MapPost("/rollout/{command}", static (HttpContext c, string command, RolloutEndpoints api) => api.RolloutCommandAsync(c, AdminPrincipal.Of(c), command));
        operate.MapPost("/rollback", static (HttpContext c, RolloutEndpoints api) => api.RollbackAsync(c, AdminPrincipal.Of(c)));
        read.MapGet("/rollbacks", static (HttpContext c, RolloutEndpoints api) => api.RollbacksAsync(c));
    }

    public async Task<IResult> RolloutAsync(HttpContext context) =>
        Json(await RolloutStatusAsync(context.RequestAborted), ServerJson.Default.RolloutStatusResponse);

    public IResult RolloutPlan()
    {
        var plan = rollouts.Plan;
        var shortest = plan.Steps.Aggregate(TimeSpan.Zero, static (sum, s) => sum + s.Soak);
        return Json(
            new RolloutPlanResponse(
                EnumNameConverter<RolloutMode>.NameOf(plan.Mode),
                EnumNameConverter<CriticalAction>.NameOf(plan.OnCritical),
                rollouts.EvaluationInterval.ToString("c", CultureInfo.InvariantCulture),
                StepsOf(plan),
                shortest.ToString("c", CultureInfo.InvariantCulture)),
            ServerJson.Default.RolloutPlanResponse);
    }

    public async Task<IResult> RolloutCommandAsync(HttpContext context, AdminPrincipal principal, string command)
    {
        if (command is not ("start" or "promote" or "pause" or "resume" or "abort"))
        {
            return Refuse(AdminError.UnknownCommand,
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
            return Refuse(AdminError.InvalidRequest, $"'accept' applies to promote only, not to {command}");
        }

        if (accept.Any(string.IsNullOrWhiteSpace))
        {
            return Refuse(AdminError.InvalidRequest, "'accept' must list the names of gates, such as [\"split\"]");
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
    }

    public async Task<IResult> RollbackAsync(HttpContext context, AdminPrincipal principal)
    {
        var (request, problem) = await ReadOptionalAsync(context, ServerJson.Default.RollbackRequest);
        if (problem is not null)
        {
            return problem;
        }

        var to = request?.To ?? 0;
        if (to is < 0 or > 100 || decimal.Round(to, 2) != to)
        {
            return Refuse(AdminError.InvalidPercent, $"'to' must be a percent from 0 to 100 with at most two decimals, not {to}");
        }

        var outcome = await rollouts.RollbackAsync(to, principal.Name, request?.Reason, context.RequestAborted, request?.IncludeOverrides == true);
        return await CommandResultAsync(outcome, context.RequestAborted);
    }

    public async Task<IResult> RollbacksAsync(HttpContext context)
    {
        var limit = 50;
        if (context.Request.Query.TryGetValue("limit", out var text)
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 10_000))
        {
            return Refuse(AdminError.InvalidRequest, $"'limit' must be a number from 1 to 10000, not '{text}'");
        }

        var rollbacks = await rolloutStore.RollbacksAsync(limit, context.RequestAborted);
        List<RollbackView> views = [.. rollbacks.Select(static r => new RollbackView(
            r.Id, r.At, r.Phase, r.Domain, r.FromPercent, r.ToPercent, r.Reason, r.Actor, JsonDocument.Parse(r.Metrics).RootElement.Clone()))];
        return Json(views, ServerJson.Default.ListRollbackView);
    }

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
            RolloutNextStep.Describe(plan, state, routing.Current.State, report, stepRequests, rollouts.GuardRollsBack, now),
            gates,
            StepsOf(plan),
            state.Status == RolloutStatus.Complete ? await DecommissionAsync(state, now, cancellationToken) : null,
            status.Instance());
    }

    /// <summary>After a complete rollout, each domain of its scope: judged by <see cref="Decommission"/> on the figures read here.</summary>
    private async Task<List<DecommissionView>> DecommissionAsync(RolloutState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Decommission.QuietPeriod;
        var atFull = state.StepStartedAt ?? now;
        var rows = await stats.ReadAsync(since, now, cancellationToken);
        var lastRollback = (await rolloutStore.RollbacksAsync(1, cancellationToken)).FirstOrDefault();
        var domains = state.Domain is { } d ? [d] : routing.Current.Topology.Domains.Keys.Where(routing.Current.IsRoutable).Order(StringComparer.Ordinal).ToList();
        var views = new List<DecommissionView>();
        foreach (var domain in domains)
        {
            var legacy = rows.Where(r => r.Domain == domain && r.Route == Route.Legacy).Sum(static r => r.Requests);
            var verdict = Decommission.Judge(domain, routing.Current.State.PercentFor(domain), atFull, lastRollback?.At, legacy, now);
            views.Add(new DecommissionView(verdict.Domain, verdict.Ready, verdict.Reason));
        }

        return views;
    }

    private async Task<IResult> CommandResultAsync(RolloutOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.Succeeded)
        {
            return Refuse(outcome.Error!.Value, outcome.Message);
        }

        return Json(
            new RolloutCommandResponse(
                [.. outcome.Events.Select(ContractMapper.History)],
                await RolloutStatusAsync(cancellationToken),
                outcome.Events.Count == 0 || outcome.OverridesOnUnified > 0 ? outcome.Message : null,
                outcome.OverridesOnUnified),
            ServerJson.Default.RolloutCommandResponse);
    }

    internal static List<RolloutStepView> StepsOf(RolloutPlan plan) =>
        [.. plan.Steps.Select(static (s, i) => new RolloutStepView(i + 1, s.Percent, s.Soak.ToString("c", CultureInfo.InvariantCulture), s.MinRequests))];
}
