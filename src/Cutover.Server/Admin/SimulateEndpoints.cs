using System.Globalization;
using Cutover.Core.Errors;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Cutover.Server.Rollout;
using Cutover.Store;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>GET /admin/simulate</c>: what a percent change would do, replayed over the users the decision log saw in a
/// window. Read only: it builds the state the change would produce and routes every (user, domain) under both.
/// </summary>
internal sealed class SimulateEndpoints(
    RolloutService rollouts,
    RoutingService routing,
    IStatsStore statsStore,
    UserKeyProtection keys,
    TimeProvider time)
{
    private const string SetChange = "set";
    private const string RollbackChange = "rollback";

    /// <summary>A day: what an operator compares with before a change, and what the preview line reports.</summary>
    private static readonly TimeSpan SimulateWindow = TimeSpan.FromDays(1);

    public static void Map(RouteGroupBuilder group)
    {
        var (read, _) = AdminPolicies.Split(group);
        read.MapGet("/simulate", static (HttpContext c, SimulateEndpoints api) => api.SimulateAsync(c));
    }

    public async Task<IResult> SimulateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var window = SimulateWindow;
        if (query.TryGetValue("window", out var windowText) && !StatsWindow.TryParse(windowText, out window, out var windowProblem))
        {
            return Invalid($"'window': {windowProblem}");
        }

        var change = query["change"].ToString() is { Length: > 0 } c ? c : SetChange;
        if (change is not (SetChange or RollbackChange))
        {
            return Invalid($"'change' must be set or rollback, not '{change}'");
        }

        string? domain = query["domain"];
        string? percentText = query["percent"];
        string? stepText = query["step"];
        string? routableText = query["routable"];
        if (change == RollbackChange && (domain is not null || stepText is not null || routableText is not null))
        {
            return Invalid("a rollback takes only 'percent' (and 'window'): it goes back in the rollout's scope, as 'cutover rollback' does");
        }

        if (percentText is not null && stepText is not null)
        {
            return Invalid("give 'percent' or 'step', not both");
        }

        // Parse what is asked: a percent (or 'global' with a domain), or a step of the plan.
        decimal? percent = null;
        int? step = null;
        if (stepText is not null)
        {
            var steps = rollouts.Plan.Steps;
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > steps.Count)
            {
                return Invalid($"'step' must be a step of the plan, 1 to {steps.Count}, not '{stepText}'");
            }

            step = n;
            percent = steps[n - 1].Percent;

            // A step applies in the running rollout's scope unless another domain is asked for.
            if (domain is null && await rollouts.CurrentAsync(context.RequestAborted) is { } rollout && rollout.Status.IsActive())
            {
                domain = rollout.Domain;
            }
        }
        else if (percentText is null)
        {
            if (change != RollbackChange && (routableText is null || domain is null))
            {
                return Invalid("'percent' is required: a number from 0 to 100 (or 'global' with 'domain'), or give 'step' (or only 'routable' with 'domain')");
            }

            percent = change == RollbackChange ? 0 : null; // as 'cutover rollback' without --to; or a routable change alone
        }
        else if (!string.Equals(percentText, "global", StringComparison.OrdinalIgnoreCase))
        {
            if (!decimal.TryParse(percentText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p))
            {
                return Invalid($"'percent' must be a number from 0 to 100, not '{percentText}'");
            }

            if (RoutingRules.CheckPercent(p) is { } problem)
            {
                return Invalid($"'percent': {problem}");
            }

            percent = p;
        }
        else if (domain is null || change == RollbackChange)
        {
            return Invalid("'percent' can be 'global' only with 'domain' (the domain follows the global percent again)");
        }

        bool? routable = null;
        if (routableText is not null)
        {
            if (!bool.TryParse(routableText, out var r))
            {
                return Invalid($"'routable' must be true or false, not '{routableText}'");
            }

            if (domain is null)
            {
                return Invalid("'routable' needs a 'domain'");
            }

            routable = r;
        }

        // The changes the real verb would make, in the order PUT /admin/routing applies them.
        IReadOnlyList<RoutingChange> changes;
        if (change == RollbackChange)
        {
            changes = await rollouts.RollbackChangesAsync(percent!.Value, context.RequestAborted);
        }
        else
        {
            var list = new List<RoutingChange>();
            if (routable is { } makeRoutable)
            {
                list.Add(new RoutingChange.SetRoutable(domain!, makeRoutable));
            }

            if (percentText is not null || stepText is not null)
            {
                list.Add(percent is { } value ? new RoutingChange.SetPercent(value, domain) : new RoutingChange.InheritPercent(domain!));
            }

            changes = list;
        }

        var current = routing.Current;
        var proposal = PercentSimulator.Propose(current.State, changes, current.Topology);
        if (!proposal.Succeeded)
        {
            var parameter = proposal.Error is ChangeError.UnknownDomain or ChangeError.ProtectedDomain ? "'domain': " : string.Empty;
            return Refuse(AdminErrors.Of(proposal.Error), parameter + proposal.Message);
        }

        var to = time.GetUtcNow();
        var from = to - window;
        var activity = await statsStore.ReadUserActivityAsync(from, to, context.RequestAborted);
        var simulation = PercentSimulator.Simulate(activity, current, RoutingSnapshot.Create(current.Topology, proposal.Next!), keys.Protect);
        return Json(new SimulationResponse(
            StatsWindow.Format(window), from, to, change, percent, domain, step, routable, current.State.Enabled,
            [.. simulation.Domains.Select(static d => View(d.Domain, d.Protected, d.PercentNow, d.PercentProposed, d.Counts))],
            View("*", false, null, null, simulation.Totals)),
            ServerJson.Default.SimulationResponse);
    }

    private static SimulatedDomainView View(string domain, bool isProtected, decimal? now, decimal? proposed, SimulationCounts c) => new(
        domain, isProtected, now, proposed, c.Users, c.Requests, c.UnifiedUsersNow, c.UnifiedRequestsNow, c.UnifiedUsersProposed,
        c.UnifiedRequestsProposed, c.UsersToUnified, c.RequestsToUnified, c.UsersToLegacy, c.RequestsToLegacy, c.PinnedUsers);

    private static IResult Invalid(string message) => Refuse(AdminError.InvalidRequest, message);
}
