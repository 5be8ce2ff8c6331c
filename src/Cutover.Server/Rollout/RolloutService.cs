using System.Globalization;
using System.Text;
using System.Text.Json;
using Cutover.Core.Errors;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Health;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Rollout;

/// <summary>
/// Runs the rollout: an evaluation loads the state, judges health, lets <see cref="RolloutDecider"/> decide, and on a
/// change applies the step's percent, then stores the state with its event (and rollback) in one transaction.
/// Operator commands take the same path. Everything is serialized; the store's version check catches a change made
/// elsewhere. An active rollout owns the percent: if routing drifted from it (a crash between the two writes),
/// the next evaluation puts it back.
/// </summary>
internal sealed class RolloutService(
    IRolloutStore store,
    RoutingService routing,
    HealthService health,
    StatsService stats,
    RolloutNotifier notifier,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<RolloutService> logger)
{
    public const string SystemActor = "system";

    private readonly SemaphoreSlim _lock = new(1, 1);

    // Kept in memory, under the lock, by the instance that evaluates: a new leader may tell a critical episode or a
    // lack-of-traffic hold once more, never more often.
    private bool _criticalEpisode;
    private string? _toldHoldStep;

    public RolloutPlan Plan { get; } = PlanOf(options.Value.Rollout);

    public TimeSpan EvaluationInterval { get; } = options.Value.Rollout.EvaluationInterval;

    /// <summary><c>Rollout:FastCheckInterval</c>: how often the controller's fast look runs between full ones.</summary>
    public TimeSpan FastCheckInterval { get; } = options.Value.Rollout.FastCheckInterval;

    /// <summary><c>Rollout:GuardAfterComplete</c>: whether the guard on unified rolls back (else it only notifies).</summary>
    public bool GuardRollsBack { get; } = options.Value.Rollout.GuardAfterComplete;

    public Task<RolloutState> CurrentAsync(CancellationToken cancellationToken) => store.LoadRolloutAsync(cancellationToken);

    /// <summary>Unified requests seen since the current step began, in the rollout's scope.</summary>
    public async Task<long> StepRequestsAsync(RolloutState state, CancellationToken cancellationToken)
    {
        if (state.StepStartedAt is not { } since)
        {
            return 0;
        }

        // Rollups are per minute: they count from the first whole minute of the step, so the previous step's last
        // minute does not count for this one; the step's first partial minute comes from the decision log itself,
        // so the count starts at the step's exact time.
        var minute = DateTimeOffset.FromUnixTimeMilliseconds(Core.Stats.Rollups.PeriodStart(since.ToUnixTimeMilliseconds(), Core.Stats.Rollups.Minute));
        var from = minute == since ? since : minute + Core.Stats.Rollups.Minute;
        var now = time.GetUtcNow();
        long head = 0;
        if (since < from && since < now)
        {
            var slices = await health.CountDecisionsAsync(since, from < now ? from : now, cancellationToken);
            head = slices.Where(s => s.Route == Route.Unified && (state.Domain is null || s.Domain == state.Domain)).Sum(static s => s.Requests);
        }

        if (from >= now)
        {
            return head;
        }

        var rows = await stats.ReadAsync(from, now, cancellationToken);
        return head + rows.Where(r => r.Route == Route.Unified && (state.Domain is null || r.Domain == state.Domain)).Sum(static r => r.Requests);
    }

    /// <summary>One look: what the controller does every <c>Rollout:EvaluationInterval</c>.</summary>
    public async Task<(RolloutDecision Decision, HealthReport Health)> EvaluateAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var state = await store.LoadRolloutAsync(cancellationToken);
            if (!state.Status.IsActive())
            {
                return await GuardAsync(state, cancellationToken);
            }

            await ReconcileAsync(state, cancellationToken);
            var report = await health.EvaluateAsync(cancellationToken);
            var decision = RolloutDecider.Decide(Plan, state, report, await StepRequestsAsync(state, cancellationToken), time.GetUtcNow());
            return (await ApplyAsync(state, decision, report, cancellationToken), report);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// The fast look, every <c>Rollout:FastCheckInterval</c> between full ones: judges only the decisions since the
    /// last change (<see cref="HealthService.EvaluateSinceChangeAsync"/>) and acts only on a critical verdict, rolling
    /// back as the full look would (<see cref="RolloutDecider.DecideCritical"/>, or the guard when no rollout runs). So a
    /// fault rolls back seconds after it starts, not at the next full look, and not a whole minute after a step.
    /// </summary>
    public async Task<(RolloutDecision Decision, HealthReport Health)> CheckCriticalAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var state = await store.LoadRolloutAsync(cancellationToken);
            var report = await health.EvaluateSinceChangeAsync(cancellationToken);
            if (!state.Status.IsActive())
            {
                // Only a critical verdict is news to the guard: an ok one from a few seconds of traffic must not close
                // an episode the full look opened (it would be told again).
                return report.State == HealthState.Critical
                    ? await GuardAsync(state, cancellationToken, report)
                    : (RolloutDecision.Unchanged(state, $"unified is {report.State.ToName()} since the change"), report);
            }

            var decision = RolloutDecider.DecideCritical(Plan, state, report, time.GetUtcNow());
            return (await ApplyAsync(state, decision, report, cancellationToken), report);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Commits a decision that changes the state, with its rollback when it is one; under the lock.</summary>
    private async Task<RolloutDecision> ApplyAsync(RolloutState state, RolloutDecision decision, HealthReport report, CancellationToken cancellationToken)
    {
        if (decision.Changed)
        {
            // The checks' sentences can be long and quote handler names an upstream sent: fitted to the rule
            // for reasons, or routing would refuse the very rollback that must happen.
            decision = decision with { Reason = ReasonText.Fit(decision.Reason) };
            var rollback = decision.Kind == RolloutDecisionKind.Rollback
                ? RollbackOf(state, decision.Next.Percent, decision.Reason, SystemActor, report)
                : null;

            // This rollback tells the critical episode; the guard, watching what overrides keep on unified, must not again.
            _criticalEpisode |= decision.Kind == RolloutDecisionKind.Rollback;
            var notify = RolloutNotices.ShouldNotify(decision, _toldHoldStep, out var told);
            await CommitAsync(state, decision.Next, RolloutEventKinds.Of(decision.Kind), SystemActor, decision.Reason, rollback, cancellationToken,
                notify: notify);
            _toldHoldStep = told;
        }

        return decision;
    }

    /// <summary>
    /// The look when no rollout owns the percent: <see cref="UnifiedGuard"/> decides; a rollback is committed like any
    /// (rollback row, audit, notification, actor <c>system</c>), a notice is recorded as <c>unified_critical</c> and told.
    /// </summary>
    private async Task<(RolloutDecision Decision, HealthReport Health)> GuardAsync(
        RolloutState state, CancellationToken cancellationToken, HealthReport? judged = null)
    {
        var report = judged ?? await health.EvaluateAsync(cancellationToken);
        var now = time.GetUtcNow();
        var guard = UnifiedGuard.Decide(Plan, state, routing.Current.State, report, GuardRollsBack, _criticalEpisode, now);

        // An episode counts as told only once its rollback or notice is stored: a look that failed tries again.
        _criticalEpisode = guard.Action == GuardAction.None && guard.EpisodeOpen;
        var reason = ReasonText.Fit(guard.Reason);
        switch (guard.Action)
        {
            case GuardAction.RollBack when guard.Rollback is { } plan:
                var next = plan.Next.Note is null ? plan.Next : plan.Next with { Note = reason };
                var rollback = RollbackOf(state, next.Percent, reason, SystemActor, report) with { FromPercent = plan.FromPercent, Domain = next.Domain };
                var committed = await CommitAsync(plan.Before, next, RolloutEventKinds.Rollback, SystemActor, reason, rollback, cancellationToken,
                    plan.Changes, plan.OverridesLeft);
                _criticalEpisode = committed.Succeeded;
                return (new RolloutDecision(next, RolloutDecisionKind.Rollback, reason, guard.Causes), report);
            case GuardAction.Notify:
                var found = RolloutPolicy.AsFound(state, routing.Current.State);
                var pinned = RolloutPolicy.OverridesOnUnified(routing.Current.State, found.Domain).Count;
                var audit = new AuditEvent(0, now, RolloutEventKinds.Critical, SystemActor, reason, Describe(found), Describe(found));
                _ = await store.TrySaveRolloutAsync(state.Version, state with { UpdatedAt = now }, [audit], null, cancellationToken)
                    ?? throw new StoreException("the rollout was changed by another instance at the same moment; look again and retry");
                LogMessages.RolloutChanged(logger, SystemActor, RolloutEventKinds.Critical, reason);
                _criticalEpisode = true;
                notifier.Notify(RolloutEventKinds.Critical, SystemActor, reason, found, Plan.Steps.Count, MetricsOf(report), pinned);
                return (RolloutDecision.Unchanged(state, reason), report);
            default:
                return (RolloutDecision.Unchanged(state, reason), report);
        }
    }

    public Task<RolloutOutcome> StartAsync(string? domain, string actor, string? reason, CancellationToken cancellationToken) =>
        CommandAsync(RolloutEventKinds.Start, actor, reason, cancellationToken, state => Task.FromResult(RolloutCommands.Start(
            Plan, state, domain, routing.Current.State, domain is not null && routing.Current.IsRoutable(domain), time.GetUtcNow())));

    /// <summary>
    /// Advances a step awaiting promotion, or one held by gates that <paramref name="accept"/> names (see
    /// <see cref="RolloutCommands.Promote"/>); the gates accepted are recorded in the event with their state and message.
    /// </summary>
    public Task<RolloutOutcome> PromoteAsync(string actor, string? reason, IReadOnlyCollection<string> accept, CancellationToken cancellationToken) =>
        CommandAsync(RolloutEventKinds.Promote, actor, reason, cancellationToken, async state => RolloutCommands.Promote(
            Plan, state, await health.EvaluateAsync(cancellationToken), await StepRequestsAsync(state, cancellationToken), accept, time.GetUtcNow()));

    public Task<RolloutOutcome> PauseAsync(string actor, string? reason, CancellationToken cancellationToken) =>
        CommandAsync(RolloutEventKinds.Pause, actor, reason, cancellationToken, state => Task.FromResult(RolloutCommands.Pause(state, time.GetUtcNow())));

    /// <summary>Resumes a paused or halted rollout; refused while a health check is critical unless <paramref name="force"/>.</summary>
    public Task<RolloutOutcome> ResumeAsync(string actor, string? reason, bool force, CancellationToken cancellationToken) =>
        CommandAsync(RolloutEventKinds.Resume, actor, reason, cancellationToken, async state =>
            RolloutCommands.Resume(Plan, state, await health.EvaluateAsync(cancellationToken), force, time.GetUtcNow()));

    public Task<RolloutOutcome> AbortAsync(string actor, string? reason, CancellationToken cancellationToken) =>
        CommandAsync(RolloutEventKinds.Abort, actor, reason, cancellationToken, state => Task.FromResult(RolloutCommands.Abort(state, time.GetUtcNow())));

    /// <summary>
    /// Sends the rollout's scope (or, with no rollout, every routable domain) to <paramref name="percent"/> and records a
    /// rollback; a running rollout halts there until <c>resume</c>.
    /// </summary>
    /// <param name="includeOverrides">Also clear the overrides that send users of the scope to unified, in the same routing change.</param>
    public async Task<RolloutOutcome> RollbackAsync(
        decimal percent, string actor, string? reason, CancellationToken cancellationToken, bool includeOverrides = false)
    {
        if (ReasonText.Check(reason, "a rollback needs a reason") is { } problem)
        {
            return Refused(RolloutState.Idle(time.GetUtcNow()), ErrorCode(problem), problem.Message);
        }

        reason = reason!.Trim();

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var state = await store.LoadRolloutAsync(cancellationToken);
            var plan = RolloutPolicy.Rollback(state, routing.Current.State, percent, reason, time.GetUtcNow(), includeOverrides);
            if (plan.Refusal is { } refusal)
            {
                return Refused(state, refusal.Error, refusal.Message);
            }

            var pinned = RolloutPolicy.OverridesSentence(plan.OverridesLeft);
            if (plan.Nothing is { } nothing)
            {
                return new RolloutOutcome(state, [], null, pinned is null ? nothing : $"{nothing}; {pinned}") { OverridesOnUnified = plan.OverridesLeft };
            }

            var report = await health.EvaluateAsync(cancellationToken);
            var rollback = RollbackOf(state, percent, reason, actor, report) with { FromPercent = plan.FromPercent, Domain = plan.Next.Domain };
            var outcome = await CommitAsync(plan.Before, plan.Next, RolloutEventKinds.Rollback, actor, reason, rollback, cancellationToken,
                plan.Changes, plan.OverridesLeft, overridesCleared: plan.OverridesCleared);
            return outcome.Succeeded ? outcome with { Message = pinned ?? outcome.Message, OverridesOnUnified = plan.OverridesLeft } : outcome;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// An operator's routing change (<c>PUT /admin/routing</c>), decided and applied under the rollout's lock, the one
    /// every rollout command and evaluation takes: a rollout cannot start, step or end between the check
    /// (<see cref="RolloutPolicy.ManualChange"/>) and the change, so a percent the rollout owns is never set by hand and
    /// then put back by the next evaluation. Null refusal: <paramref name="changes"/> were given to routing, whose
    /// own answer (applied or refused) is returned.
    /// </summary>
    public async Task<(AppliedChanges? Applied, RolloutRefusal? Refusal)> ChangeRoutingAsync(
        IReadOnlyList<RoutingChange> changes, string actor, string? reason, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var state = await store.LoadRolloutAsync(cancellationToken);
            return RolloutPolicy.ManualChange(state, changes) is { } refusal
                ? (null, refusal)
                : (await routing.ApplyAsync(changes, actor, reason, cancellationToken), null);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<RolloutOutcome> CommandAsync(
        string kind, string actor, string? reason, CancellationToken cancellationToken, Func<RolloutState, Task<RolloutCommandResult>> command)
    {
        if (ReasonText.Check(reason, $"{kind.Replace('_', ' ')} needs a reason") is { } problem)
        {
            return Refused(RolloutState.Idle(time.GetUtcNow()), ErrorCode(problem), problem.Message);
        }

        reason = reason!.Trim();

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var state = await store.LoadRolloutAsync(cancellationToken);
            var result = await command(state);
            return result.Next is { } next
                ? await CommitAsync(RolloutPolicy.AsFound(state, routing.Current.State), next, kind, actor, reason, null, cancellationToken, accepted: result.Accepted)
                : Refused(state, result.Refusal!.Error, result.Refusal.Message);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Applies the percent of <paramref name="next"/> if it differs (or the rollback plan's <paramref name="changes"/>),
    /// then stores the state, event and rollback; tells it unless <paramref name="notify"/> is false.
    /// </summary>
    private async Task<RolloutOutcome> CommitAsync(
        RolloutState current, RolloutState next, string kind, string actor, string reason, RollbackRecord? rollback,
        CancellationToken cancellationToken, IReadOnlyList<RoutingChange>? changes = null, int? overridesOnUnified = null, bool notify = true,
        IReadOnlyList<HealthCheck>? accepted = null, int overridesCleared = 0)
    {
        var routed = new List<AuditEvent>();
        changes ??= RolloutPolicy.PercentChanges(routing.Current.State, next, lowering: kind is RolloutEventKinds.Rollback or RolloutEventKinds.Abort);
        if (changes.Count > 0)
        {
            var applied = await routing.ApplyAsync(changes, actor, reason, cancellationToken);
            if (!applied.Succeeded)
            {
                return Refused(current, new RolloutRefusal(RolloutRefusalCode.PercentNotApplied, string.Empty).Error, $"the percent could not be set: {applied.Message}");
            }

            routed.AddRange(applied.Events);
        }

        var audit = new AuditEvent(0, time.GetUtcNow(), kind, actor, reason, Describe(current, overridesOnUnified: overridesCleared > 0 ? overridesCleared : null),
            Describe(next, accepted, overridesOnUnified: overridesCleared > 0 ? 0 : null));
        var stored = await store.TrySaveRolloutAsync(current.Version, next, [audit], rollback, cancellationToken)
            ?? throw new StoreException("the rollout was changed by another instance at the same moment; look again and retry");
        if (kind == RolloutEventKinds.Rollback)
        {
            LogMessages.RolledBack(logger, actor, next.Percent, reason);
        }
        else
        {
            LogMessages.RolloutChanged(logger, actor, kind, reason);
        }
        var saved = await store.LoadRolloutAsync(cancellationToken);
        if (notify)
        {
            // The controller's own rollbacks say how many overrides keep users on unified, as an operator's do.
            overridesOnUnified ??= rollback is null ? null : RolloutPolicy.OverridesOnUnified(routing.Current.State, next.Domain).Count;
            notifier.Notify(kind, actor, reason, saved, Plan.Steps.Count, rollback?.Metrics, overridesOnUnified);
        }

        return new RolloutOutcome(saved, [.. routed, .. stored], null, reason);
    }

    /// <summary>
    /// The routing changes <see cref="RollbackAsync"/> would apply now for <paramref name="percent"/>, without applying
    /// them: what <c>cutover rollback</c> previews through <c>/admin/simulate</c>.
    /// </summary>
    public async Task<IReadOnlyList<RoutingChange>> RollbackChangesAsync(decimal percent, CancellationToken cancellationToken)
    {
        var state = await store.LoadRolloutAsync(cancellationToken);
        return RolloutPolicy.Rollback(state, routing.Current.State, percent, "preview", time.GetUtcNow()).Changes;
    }

    private static AdminError ErrorCode(ReasonProblem problem) => AdminErrors.Of(problem.Error);

    private static string Pct(decimal percent) => percent.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private async Task ReconcileAsync(RolloutState state, CancellationToken cancellationToken)
    {
        if (state.Percent != RolloutPolicy.CurrentPercent(routing.Current.State, state.Domain))
        {
            await routing.ApplyAsync(
                [new RoutingChange.SetPercent(state.Percent, state.Domain)], SystemActor,
                $"rollout step {state.Step + 1} is {state.Percent.ToString("0.##", CultureInfo.InvariantCulture)}%: routing had drifted from it",
                cancellationToken);
        }
    }

    private RollbackRecord RollbackOf(RolloutState state, decimal to, string reason, string actor, HealthReport report)
    {
        var phase = state.Status.IsActive() || state.Status is RolloutStatus.Halted or RolloutStatus.Complete
            ? $"step {state.Step + 1} of {Plan.Steps.Count} ({state.Percent.ToString("0.##", CultureInfo.InvariantCulture)}%)"
            : "no rollout";
        return new RollbackRecord(0, time.GetUtcNow(), phase, state.Domain, state.Percent, to, reason, actor, MetricsOf(report));
    }

    /// <summary>Every check's value, threshold and state at the moment of the rollback: what the runbooks' metrics column holds.</summary>
    private static string MetricsOf(HealthReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("health", report.State.ToName());
            foreach (var check in report.Checks)
            {
                json.WriteStartObject(check.Name);
                json.WriteString("state", check.State.ToName());
                WriteNumber(json, "value", check.Value);
                WriteNumber(json, "threshold", check.Threshold);
                json.WriteString("message", check.Message);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>The state as an event records it; a promote that waived gates adds them, as judged then.</summary>
    /// <param name="overridesOnUnified">
    /// Written when a rollback clears overrides (<c>include_overrides</c>): before how many sent users to unified, after
    /// 0, so the event says what changed even when the percent was already 0.
    /// </param>
    private static string Describe(RolloutState s, IReadOnlyList<HealthCheck>? accepted = null, int? overridesOnUnified = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", s.Status.ToName());
            json.WriteNumber("step", s.Step + 1);
            json.WriteNumber("percent", s.Percent);
            if (s.Domain is not null)
            {
                json.WriteString("domain", s.Domain);
            }

            if (s.Paused)
            {
                json.WriteBoolean("paused", true);
            }

            if (overridesOnUnified is { } pinned)
            {
                json.WriteNumber("overrides_on_unified", pinned);
            }

            if (accepted is { Count: > 0 })
            {
                json.WriteStartArray("accepted");
                foreach (var check in accepted)
                {
                    json.WriteStartObject();
                    json.WriteString("name", check.Name);
                    json.WriteString("state", check.State.ToName());
                    WriteNumber(json, "value", check.Value);
                    WriteNumber(json, "threshold", check.Threshold);
                    json.WriteString("message", check.Message);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static RolloutOutcome Refused(RolloutState state, AdminError error, string message) => new(state, [], error, message);

    private static RolloutPlan PlanOf(RolloutOptions o) => new(
        o.Steps.Count == 0 ? RolloutPlan.DefaultSteps : [.. o.Steps.Select(static s => new RolloutStep(s.Percent, s.Soak, s.MinRequests))],
        o.Mode,
        o.OnCritical);
}
