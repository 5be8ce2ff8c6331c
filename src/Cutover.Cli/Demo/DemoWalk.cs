using System.Diagnostics;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Server.Admin;
using Cutover.Server.DecisionLog;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Store;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cutover.Cli.Demo;

/// <summary>
/// One walk through the plan against a started router. The demo plays both the clock and the controller's timer: at
/// each look it moves simulated time on by the evaluation interval, sends a burst of traffic standing for that
/// interval, waits until the decision log has written it, and asks the rollout service for one look, as the
/// background controller would. It also plays the bad deploy and the operator who fixes it and resumes.
/// </summary>
internal sealed class DemoWalk(IServiceProvider services, DemoClock clock, DemoUpstreams upstreams, TrafficSender sender, Stopwatch real)
{
    private const string Actor = "demo";

    private readonly RolloutService _rollouts = services.GetRequiredService<RolloutService>();
    private readonly StatsService _stats = services.GetRequiredService<StatsService>();
    private readonly IRoutingStore _audit = services.GetRequiredService<IRoutingStore>();
    private readonly IRolloutStore _rollbacks = services.GetRequiredService<IRolloutStore>();
    private readonly IDecisionStore _decisions = services.GetRequiredService<IDecisionStore>();
    private readonly DecisionLogQueue _log = services.GetRequiredService<DecisionLogQueue>();
    private readonly RoutingStateHolder _routing = services.GetRequiredService<RoutingStateHolder>();
    private readonly List<DemoEvent> _events = [];
    private readonly DateTimeOffset _start = clock.GetUtcNow();
    private StickinessTracker? _tracker;
    private DateTimeOffset _lastChange;
    private decimal _lastPercent;
    private long _logged;
    private bool _faultCaught;
    private bool _faultMissed;

    public TimeSpan Simulated => clock.GetUtcNow() - _start;

    private StickinessTracker Tracker => _tracker ??= new StickinessTracker(d => _routing.Current.IsRoutable(d));

    public async Task RunAsync(IDemoView view, CancellationToken cancellationToken)
    {
        var started = await _rollouts.StartAsync(null, Actor, "start the runbooks' plan on every routable domain", cancellationToken);
        if (!started.Succeeded)
        {
            throw new CliException(ExitCodes.Software, $"the rollout did not start: {started.Message}");
        }

        Record(started.Events, started.State.Percent);
        var plan = _rollouts.Plan;
        DateTimeOffset? faultAt = null, rolledBackAt = null;
        var faultLooks = 0;
        for (var look = 1; look <= DemoScenario.MaxLooks; look++)
        {
            // Simulated time also runs on with real time, as a controller's timer would: a step that began a moment
            // after a look is over a moment after the look its soak ends at, not one look later.
            clock.Advance(_rollouts.EvaluationInterval);
            var now = clock.GetUtcNow();
            var state = await _rollouts.CurrentAsync(cancellationToken);

            // The bad deploy: a while into 35%, so the step is first seen healthy.
            if (faultAt is null && state.Status.IsActive() && state.Step == DemoScenario.FaultStep
                && now - state.StepStartedAt >= DemoScenario.FaultAfter)
            {
                faultAt = now;
                upstreams.UnifiedFailureShare = DemoScenario.FaultShare;
                Add(now, "fault", Actor, state.Percent,
                    $"a bad unified deploy: unified now answers 503 to {DemoScenario.FaultPercent} of its requests (the router falls back to legacy for those)");
            }

            await SendAsync(now, cancellationToken);
            var dwell = false;
            var result = await _rollouts.EvaluateAsync(cancellationToken);
            var report = result.Health;
            state = await _rollouts.CurrentAsync(cancellationToken);
            if (result is ({ Changed: true } decision, _))
            {
                Add(clock.GetUtcNow(), RolloutEventKinds.Of(decision.Kind), RolloutService.SystemActor, decision.Next.Percent, decision.Reason);
                if (decision.Kind == RolloutDecisionKind.Rollback)
                {
                    rolledBackAt = now;
                    _faultCaught |= faultAt is not null;
                    Tracker.RolledBack();
                    dwell = true;
                }
            }

            // The operator: reads the rollback's reason, has unified fixed, waits for the bad minutes to leave the
            // health window, and resumes.
            var fix = false;
            if (state.Status == RolloutStatus.Halted && rolledBackAt is { } rollback && now - rollback >= DemoScenario.OperatorDelay)
            {
                fix = true;
            }
            else if (faultAt is not null && upstreams.UnifiedFailureShare > 0 && ++faultLooks >= DemoScenario.FaultLooksAtMost && state.Status.IsActive())
            {
                // No rollback came (it should at the first look): end the fault so the walk can go on, and say so.
                _faultMissed = true;
                upstreams.UnifiedFailureShare = 0;
                Add(clock.GetUtcNow(), "fix", Actor, state.Percent, $"no rollback after {faultLooks} looks of the fault; the demo ends the fault");
            }

            view.Show(await LookAsync(look, state, plan, report, cancellationToken));
            if (dwell)
            {
                await view.DwellAsync(cancellationToken);
            }

            if (fix)
            {
                upstreams.UnifiedFailureShare = 0;
                Add(clock.GetUtcNow(), "fix", Actor, state.Percent, "the operator read the rollback's reason and had the unified deploy reverted");
                var resumed = await _rollouts.ResumeAsync(Actor, "unified fixed (the bad deploy reverted); resume the step that was rolled back", force: false, cancellationToken);
                if (!resumed.Succeeded)
                {
                    throw new CliException(ExitCodes.Software, $"the rollout did not resume: {resumed.Message}");
                }

                Record(resumed.Events, resumed.State.Percent);
                rolledBackAt = null;
                view.Show(await LookAsync(look, resumed.State, plan, report, cancellationToken));
            }

            if (state.Status == RolloutStatus.Complete)
            {
                return;
            }
        }
    }

    /// <summary>Checks the guarantees, prints the whole run, the rollback and the audit trail; true when all held.</summary>
    public async Task<bool> SummarizeAsync(DemoOutput output, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var state = await _rollouts.CurrentAsync(cancellationToken);
        var run = StatsCalculator.Compute(await _stats.ReadAsync(_start, now, cancellationToken), _start, now);
        var protectedUnified = run.Routes.Where(r => RoleOf(r.Domain) == DomainRole.Protected && r.Route == Route.Unified).Sum(static r => r.RequestCount);
        var complete = state.Status == RolloutStatus.Complete;
        var rollbacks = await _rollbacks.RollbacksAsync(10, cancellationToken);

        output.Line();
        output.Line(complete
            ? $"[bold green]Rollout complete[/]: 100% of users on unified after {DemoFormat.Duration(now - _start)} of simulated time, "
                + $"{rollbacks.Count} automatic rollback{(rollbacks.Count == 1 ? string.Empty : "s")} on the way."
            : $"[red]The rollout did not complete[/]: it is {state.Status.ToName()} at {DemoFormat.Percent(state.Percent)} ({Markup.Escape(state.Note ?? "no note")}).");
        output.Write(DemoSummary.Split(run, RoleOf));
        output.Line(protectedUnified == 0
            ? "Protected domains (mobility, profile, insurance): [green]0 updates to unified[/]."
            : $"[red]Protected domains sent {protectedUnified:N0} updates to unified[/].");
        output.Line($"Sticky users: {Tracker.EverUnified:N0} users were put on unified; [bold]{Tracker.MovedBack}[/] of them went back to legacy "
            + $"except by the rollback (which sent {Tracker.MovedBackByRollback:N0} back, all at once, until the resume).");
        output.Text($"Webhooks: {sender.Posts:N0} POSTs carrying {sender.Updates:N0} updates; {sender.NotOk:N0} answered other than 200 "
            + "(a unified failure falls back to legacy, so Meta never saw one).");
        foreach (var r in rollbacks.Reverse())
        {
            output.Text("Rollback (GET /admin/rollbacks): " + DemoSummary.Rollback(r, _start));
        }

        if (_faultMissed || !_faultCaught)
        {
            output.Line("[red]The injected fault did not cause an automatic rollback.[/]");
        }

        var history = await _audit.HistoryAsync(new HistoryQuery(500, Since: _start), cancellationToken);
        output.Text("History of events (cutover history), oldest first; times are simulated:");
        Output.Render.History(output.Console, [.. history.Reverse().Select(ContractMapper.History)]);
        return complete && protectedUnified == 0 && Tracker.MovedBack == 0 && _faultCaught && !_faultMissed && sender.NotOk == 0;
    }

    private DomainRole RoleOf(string domain) =>
        _routing.Topology.IsProtected(domain) ? DomainRole.Protected
        : _routing.Current.IsRoutable(domain) ? DomainRole.Routable
        : DomainRole.Fallback;

    /// <summary>One burst, then waits until the decision log has written every update of it (so stats and health see it).</summary>
    private async Task SendAsync(DateTimeOffset lookAt, CancellationToken cancellationToken)
    {
        var updates = await sender.SendAsync(DemoScenario.PostsPerLook, cancellationToken);
        _logged += updates;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var counters = _log.Counters;
            if (counters.Queued == 0 && counters.Written + counters.Dropped + counters.Failed >= _logged)
            {
                break;
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new CliException(ExitCodes.Software, "the decision log did not catch up within 30 s");
            }

            await Task.Delay(2, cancellationToken);
        }

        Tracker.Observe(await _decisions.QueryDecisionsAsync(new DecisionQuery(1_000_000, Since: lookAt), cancellationToken));
    }

    private async Task<DemoLook> LookAsync(int number, RolloutState state, RolloutPlan plan, HealthReport report, CancellationToken cancellationToken)
    {
        // The split since the first whole minute after the last percent change: earlier minutes had another percent.
        var now = clock.GetUtcNow();
        var since = FloorMinute(_lastChange) + Rollups.Minute;
        var window = StatsCalculator.Compute(since < now ? await _stats.ReadMinutesAsync(since, now, cancellationToken) : [], since, now);
        var split = _routing.Topology.Domains.Keys
            .Select(d => new DomainSplit(d, RoleOf(d),
                window.Routes.Where(r => r.Domain == d && r.Route == Route.Legacy).Sum(static r => r.RequestCount),
                window.Routes.Where(r => r.Domain == d && r.Route == Route.Unified).Sum(static r => r.RequestCount)))
            .OrderBy(static s => s.Role).ThenBy(static s => s.Domain, StringComparer.Ordinal)
            .ToList();
        TimeSpan? soakLeft = state.Status == RolloutStatus.Soaking && state.StepStartedAt is { } stepStart && state.Step >= 0
            ? CeilingMinute(stepStart + plan.Steps[Math.Min(state.Step, plan.Steps.Count - 1)].Soak - now)
            : null;
        var look = new DemoLook(
            number, now - _start, real.Elapsed, state, plan.Steps.Count, soakLeft, _lastPercent, _lastChange - _start, split,
            window.Totals.FirstOrDefault(static t => t.Route == Route.Unified), window.Totals.FirstOrDefault(static t => t.Route == Route.Legacy),
            report, upstreams.UnifiedFailureShare > 0, [.. _events]);

        // From the next look on, the split is measured at the percent this look left.
        if (state.Percent != _lastPercent)
        {
            _lastPercent = state.Percent;
            _lastChange = now;
        }

        return look;
    }

    private void Record(IEnumerable<AuditEvent> events, decimal percent)
    {
        foreach (var e in events.Where(static e => e.Kind.StartsWith("rollout_", StringComparison.Ordinal) || e.Kind == RolloutEventKinds.Rollback))
        {
            Add(e.At, e.Kind, e.Actor, percent, e.Reason);
        }

        _lastPercent = percent;
        _lastChange = clock.GetUtcNow();
    }

    private void Add(DateTimeOffset at, string kind, string actor, decimal percent, string text) =>
        _events.Add(new DemoEvent(at - _start, kind, actor, percent, text));

    /// <summary>Simulated time runs on with real time too, so a soak left is a few seconds short of whole minutes.</summary>
    private static TimeSpan CeilingMinute(TimeSpan span) => TimeSpan.FromMinutes(Math.Ceiling(span.TotalMinutes));

    private static DateTimeOffset FloorMinute(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Rollups.PeriodStart(at.ToUnixTimeMilliseconds(), Rollups.Minute));
}
