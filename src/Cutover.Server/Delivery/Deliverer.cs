using System.Collections.Frozen;
using System.Diagnostics;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Delivery;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.HotPath;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// Makes one attempt at one claimed update: routes it as direct delivery would, now (today's routing state, the
/// person's memory), sends it alone (its original bytes and signature when the webhook held only it; otherwise cut out
/// and signed again), falls back from unified to the domain's legacy upstream, records the decision, and tells the store
/// what comes next: done, a retry at a time the schedule picks, or a dead letter.
/// </summary>
/// <remarks>
/// <code>
/// claim ─▶ route now (or the replay's target) ─▶ gate (busy? circuit open?) ─▶ send ─┬─ taken ──▶ Complete
///                                                   unified failed or open ─▶ legacy ─┤
///                                                                                     ├─ retry ──▶ RetryLater (backoff, Retry-After)
///                                                                                     └─ give up ▶ DeadLetter (with the attempt)
/// </code>
/// Nothing sent (the upstream busy, or every circuit on the way open): released to wait without counting an attempt.
/// </remarks>
internal sealed class Deliverer
{
    private const string CircuitOpenError = "circuit open (not tried)";

    private readonly DeliveryOptions _options;
    private readonly RetrySchedule _schedule;
    private readonly DeliveryOutcomes _outcomes;
    private readonly RoutingStateHolder _routing;
    private readonly RoutingMemory _memory;
    private readonly UpstreamClient _upstreams;
    private readonly UpstreamGates _gates;
    private readonly DecisionLogQueue _log;
    private readonly CutoverMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<Deliverer> _logger;
    private readonly WebhookSignature? _signature;
    private readonly FrozenSet<string> _upstreamNames;

    public Deliverer(
        IOptions<CutoverOptions> options,
        DeliveryOutcomes outcomes,
        RoutingStateHolder routing,
        RoutingMemory memory,
        UpstreamClient upstreams,
        UpstreamGates gates,
        DecisionLogQueue log,
        CutoverMetrics metrics,
        TimeProvider time,
        ILogger<Deliverer> logger)
    {
        _options = options.Value.Delivery;
        _schedule = _options.Schedule;
        _outcomes = outcomes;
        _routing = routing;
        _memory = memory;
        _upstreams = upstreams;
        _gates = gates;
        _log = log;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _signature = string.IsNullOrEmpty(options.Value.AppSecret) ? null : new WebhookSignature(options.Value.AppSecret);
        _upstreamNames = options.Value.Upstreams.Keys.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>One attempt at <paramref name="claim"/>, leased to <paramref name="owner"/>; its outcome is in the store when this returns.</summary>
    public async Task DeliverAsync(ClaimedDelivery claim, string owner)
    {
        // Null while tracing is off; else one trace per attempt, its forwards as children, found by the correlation id.
        using var activity = CutoverActivities.StartRoot(CutoverActivities.Deliver, ActivityKind.Consumer);
        activity?.SetTag(CutoverActivities.CorrelationIdTag, claim.CorrelationId);
        var now = _time.GetUtcNow();
        var parsed = new ParsedWebhook();
        if (claim.UpdateIndex >= 0 && !TryParse(claim, parsed, out var problem))
        {
            // Parsed when it was accepted, so only a parser changed since (or a damaged row) gets here: nothing to route.
            await FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.DeadLettered(claim.Id, owner, null, DeadLetterReasons.Unparseable, problem, null, null)));
            return;
        }

        var snapshot = _routing.Current;
        var decision = claim.UpdateIndex < 0
            ? WebhookPipeline.EmptyEnvelopeDecision(snapshot)
            : Router.DecideOne(in parsed[claim.UpdateIndex], parsed.TextOf(claim.UpdateIndex), snapshot, _memory, now);
        decision = Retarget(decision, claim.Target, snapshot.Topology, _upstreamNames);
        var request = RequestOf(claim, parsed, decision, claim.Attempts + 1);

        // :: The decided upstream, unless it is busy or (legacy's) circuit is open: then nothing is sent, nothing counted.
        var first = decision.Upstream;
        var (refusal, retryAt) = await _gates.EnterAsync(first, _options.PollInterval, _time);
        if (refusal == GateRefusal.Busy || (refusal == GateRefusal.Open && first != RouterTopology.UnifiedUpstream))
        {
            await HoldBackAsync(claim, owner, decision, refusal == GateRefusal.Busy ? Jittered(retryAt, _options.PollInterval) : retryAt, first, now);
            return;
        }

        Sent? unified = null;
        Sent final;
        if (refusal == GateRefusal.Open)
        {
            // Unified's circuit is open: straight to legacy, as after a failed attempt, without knocking on unified's door.
            unified = new Sent(first, null);
        }
        else
        {
            final = await SendAsync(first, request, claim);
            if (final.Result!.Value.Taken || first != RouterTopology.UnifiedUpstream)
            {
                await ConcludeAsync(claim, owner, parsed, decision, final, unified: null, now);
                return;
            }

            unified = final;
        }

        // :: Unified failed (or is open): the domain's legacy upstream, the same bytes.
        var legacy = snapshot.Topology.LegacyUpstreamOf(decision.Domain);
        var (legacyRefusal, legacyRetryAt) = await _gates.EnterAsync(legacy, _options.PollInterval, _time);
        if (legacyRefusal != GateRefusal.None)
        {
            if (unified.Result is null)
            {
                await HoldBackAsync(claim, owner, decision, legacyRetryAt > retryAt ? legacyRetryAt : retryAt, legacy, now);
                return;
            }

            // Unified was tried and failed; legacy cannot be asked now: an attempt that failed, retried on the schedule.
            await ConcludeAsync(claim, owner, parsed, decision, unified, unified: null, now);
            return;
        }

        LogMessages.FallingBack(_logger, claim.CorrelationId, legacy);
        _metrics.Fallback(legacy);
        final = await SendAsync(legacy, request with { Route = RouteNames.Legacy }, claim);
        await ConcludeAsync(claim, owner, parsed, decision, final, unified, now);
    }

    /// <summary>
    /// A replay's <c>--to</c>: <c>unified</c>, <c>legacy</c> (the update's domain's legacy upstream) or an upstream by
    /// name. A name no longer configured routes as usual rather than nowhere.
    /// </summary>
    internal static UpdateDecision Retarget(UpdateDecision decision, string? target, RouterTopology topology, IReadOnlySet<string> upstreams)
    {
        switch (target)
        {
            case null:
                return decision;
            case RouteNames.Unified:
                return decision with { Route = Route.Unified, Upstream = RouterTopology.UnifiedUpstream };
            case RouteNames.Legacy:
                return decision with { Route = Route.Legacy, Upstream = topology.LegacyUpstreamOf(decision.Domain) };
            default:
                return !upstreams.Contains(target) ? decision
                    : target == RouterTopology.UnifiedUpstream ? decision with { Route = Route.Unified, Upstream = target }
                    : decision with { Route = Route.Legacy, Upstream = target };
        }
    }

    private static bool TryParse(ClaimedDelivery claim, ParsedWebhook parsed, out string? problem)
    {
        if (!WebhookParser.TryParse(claim.Body, parsed, out problem))
        {
            return false;
        }

        if (claim.UpdateIndex >= parsed.Count)
        {
            problem = $"the stored webhook has {parsed.Count} updates; update {claim.UpdateIndex} is not one of them";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The bytes for this one update: the webhook as Meta sent it, signature and all, when it held nothing else (or is
    /// delivered whole); otherwise the update cut out of it, signed with the app secret as Meta would have.
    /// </summary>
    private Request RequestOf(ClaimedDelivery claim, ParsedWebhook parsed, UpdateDecision decision, int attempt)
    {
        var route = decision.Route.ToName();
        if (claim.UpdateIndex < 0)
        {
            return new Request(claim.Body, claim.Signature, decision.Domain, route, null, attempt);
        }

        var key = parsed[claim.UpdateIndex].IdempotencyKey;
        if (claim.UpdateCount == 1 && parsed.Count == 1)
        {
            return new Request(claim.Body, claim.Signature, decision.Domain, route, key, attempt);
        }

        var partOf = new int[parsed.Count];
        Array.Fill(partOf, -1);
        partOf[claim.UpdateIndex] = 0;
        var bytes = PayloadSplitter.Split(claim.Body, parsed, partOf, 1)[0];
        return new Request(bytes, _signature?.Sign(bytes), decision.Domain, route, key, attempt);
    }

    private async Task<Sent> SendAsync(string upstream, Request request, ClaimedDelivery claim)
    {
        // The gate was entered by the caller; given back here whatever happens.
        ForwardResult result = default;
        try
        {
            var headers = new OutboundHeaders(request.Signature, claim.CorrelationId, request.Domain, request.Route, request.IdempotencyKey, request.Attempt);
            result = await _upstreams.SendAsync(upstream, request.Body, headers);
        }
        finally
        {
            _gates.Exit(upstream, _time.GetUtcNow(), alive: result.StatusCode != 0 && !IsRetryable(result));
        }

        _metrics.Forwarded(upstream, result.Outcome, result.Elapsed);
        if (!result.Delivered)
        {
            LogMessages.UpstreamFailed(_logger, upstream, result.Outcome, result.StatusCode, claim.CorrelationId, result.Exception);
        }

        return new Sent(upstream, result);
    }

    private static bool IsRetryable(ForwardResult result) =>
        AttemptOutcomes.Of(result.StatusCode, transportError: result.StatusCode == 0) == AttemptOutcome.Retryable;

    /// <summary>Records the attempt (decision log, attempt history) and moves the update on as the retry policy says.</summary>
    private async Task ConcludeAsync(
        ClaimedDelivery claim, string owner, ParsedWebhook parsed, UpdateDecision decision, Sent final, Sent? unified, DateTimeOffset startedAt)
    {
        var result = final.Result!.Value;
        var now = _time.GetUtcNow();
        var attemptNumber = claim.Attempts + 1;
        var firstError = unified is { } u ? $"unified {(u.Result is { } r ? r.Describe() : CircuitOpenError)}" : null;
        var error = result.Delivered ? firstError : firstError is null ? result.Describe() : $"{firstError}; {final.Upstream} {result.Describe()}";
        var latency = (result.Elapsed + (unified?.Result?.Elapsed ?? TimeSpan.Zero)).TotalMilliseconds;
        var route = unified is null ? decision.Route.ToName() : RouteNames.Legacy;
        var attempt = new DeliveryAttempt(attemptNumber, startedAt, final.Upstream, route, result.StatusCode, error, latency);

        Record(claim, parsed, decision, final, unified, error, latency, startedAt);
        if (result.Delivered && unified is not null)
        {
            RememberTakenByLegacy(claim, parsed, decision, final.Upstream, now);
        }

        var outcome = AttemptOutcomes.Of(result.StatusCode, transportError: result.StatusCode == 0);
        var step = DeliveryPolicy.Next(_schedule, attemptNumber, claim.AcceptedAt, now, outcome, result.RetryAfter, Random.Shared.NextDouble());
        switch (step)
        {
            case DeliveryStep.Done:
                _metrics.Concluded(attemptNumber, now - claim.AcceptedAt);
                await FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.Completed(claim.Id, owner, attempt)));
                break;
            case DeliveryStep.RetryAt retry:
                await FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.RetryLater(claim.Id, owner, attempt, retry.At)));
                break;
            case DeliveryStep.DeadLetter dead:
                LogMessages.DeadLettered(_logger, claim.Id, claim.CorrelationId, attemptNumber, dead.Reason);
                _metrics.DeadLettered(decision.Domain, decision.Route.ToName(), dead.Reason);
                _metrics.Concluded(attemptNumber, null);
                await FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.DeadLettered(
                    claim.Id, owner, attempt, dead.Reason, error, decision.Domain, decision.Route.ToName())));
                break;
        }
    }

    /// <summary>One decision record per attempt, as direct delivery writes one per forward (Meta's retries included).</summary>
    private void Record(
        ClaimedDelivery claim, ParsedWebhook parsed, UpdateDecision decision, Sent final, Sent? unified, string? error, double latency,
        DateTimeOffset at)
    {
        var result = final.Result!.Value;
        var whole = claim.UpdateIndex < 0;
        var update = whole ? default : parsed[claim.UpdateIndex];
        var handler = unified is { Result: { } first } ? first.Handler : unified is null ? result.Handler : null;
        _metrics.Update(decision.Domain, decision.Route.ToName(), UpdateOutcomes.Of(result.Delivered, unified is not null));
        _log.TryEnqueue(new DecisionRecord(
            at, claim.CorrelationId, update.Id, decision.PersonKey ?? update.UserKey, whole ? UpdateKind.Change : update.Kind, decision.Domain,
            decision.Rule, decision.Bucket, decision.Route, final.Upstream, handler, result.Delivered, result.StatusCode, latency, error,
            unified is not null));
    }

    /// <summary>As in direct delivery: a message legacy took after unified failed is answered by legacy, so its statuses go there.</summary>
    private void RememberTakenByLegacy(ClaimedDelivery claim, ParsedWebhook parsed, UpdateDecision decision, string upstream, DateTimeOffset now)
    {
        if (claim.UpdateIndex >= 0 && parsed[claim.UpdateIndex].Kind == UpdateKind.Message && decision.PersonKey is { } person)
        {
            _memory.Conversations.RememberInbound(person, decision.Rule != ClassificationRule.Fallback ? decision.Domain : null,
                new InboundRoute(decision.Domain, Route.Legacy, upstream, now.UtcTicks));
        }
    }

    /// <summary>
    /// Nothing was sent (the upstream busy, or its circuit open): the update waits until <paramref name="until"/> without
    /// an attempt counted. Only the probe of an open circuit makes attempts, so an update could otherwise wait out a long
    /// outage past <c>MaxAge</c>: once it would be too old by then, it is a dead letter instead.
    /// </summary>
    private Task HoldBackAsync(ClaimedDelivery claim, string owner, UpdateDecision decision, DateTimeOffset until, string upstream, DateTimeOffset now)
    {
        if (until - claim.AcceptedAt <= _schedule.MaxAge)
        {
            return FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.Released(claim.Id, owner, until)));
        }

        var route = decision.Route.ToName();
        LogMessages.DeadLettered(_logger, claim.Id, claim.CorrelationId, claim.Attempts, DeadLetterReasons.MaxAge);
        _metrics.DeadLettered(decision.Domain, route, DeadLetterReasons.MaxAge);
        _metrics.Concluded(claim.Attempts, null);
        return FinishAsync(claim, _outcomes.RecordAsync(LeaseOutcome.DeadLettered(claim.Id, owner, null, DeadLetterReasons.MaxAge,
            $"not sent: {upstream}'s circuit stayed open past Delivery:MaxAge", decision.Domain, route)));
    }

    private async Task FinishAsync(ClaimedDelivery claim, Task<bool> finishing)
    {
        try
        {
            if (!await finishing)
            {
                LogMessages.DeliveryLeaseLost(_logger, claim.Id, claim.CorrelationId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The row keeps its lease and is claimed again when it ends: delivered twice at worst, never lost.
            LogMessages.DeliveryFinishFailed(_logger, claim.Id, claim.CorrelationId, ex);
        }
    }

    // Spread over half to one and a half times the interval, so that updates held back together do not all come back together.
    private static DateTimeOffset Jittered(DateTimeOffset now, TimeSpan interval) => now + (interval * (0.5 + Random.Shared.NextDouble()));

    private sealed record Request(ReadOnlyMemory<byte> Body, string? Signature, string Domain, string Route, string? IdempotencyKey, int Attempt);

    /// <summary>Where an attempt went and how it went (null result: not sent, the circuit being open).</summary>
    private sealed record Sent(string Upstream, ForwardResult? Result);
}
