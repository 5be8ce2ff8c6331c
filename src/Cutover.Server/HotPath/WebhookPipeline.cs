using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.DecisionLog;
using Cutover.Server.Delivery;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;

namespace Cutover.Server.HotPath;

/// <summary>
/// The path of one webhook POST from Meta to the right upstream.
/// </summary>
/// <remarks>
/// <code>
/// Meta ──POST──▶ Cutover ──part──▶ upstream (unified or a domain's legacy handler)
///                   │  unified fails (connect, timeout, 5xx) ──same bytes──▶ the domain's legacy upstream
///                   └─ one decision per update ──▶ bounded queue ──▶ batched store writes
/// </code>
/// Steps: 1. size check (413); 2. read the body; 3. signature check when an app secret is set (401);
/// 4. parse (400 naming the problem); 5. classify and route each update; 6. group updates into parts
/// by upstream: one part keeps the original bytes and signature, several parts are split and re-signed;
/// 7. forward the parts concurrently, falling back from unified to legacy; 8. record every decision;
/// 9. answer Meta: 200 when every part was taken, 502 when one was not (Meta then retries).
/// The forwards do not follow Meta's connection: once read, a webhook is delivered even if Meta hangs up.
/// </remarks>
internal sealed class WebhookPipeline
{
    // One parsed webhook per request in flight: a pool smaller than the concurrency (it was 4 × the processors) hands
    // out new ones under load, and their text buffers were a fifth of all the bytes a webhook allocated.
    private const int MaxPooledParsers = 256;

    private readonly CutoverOptions _options;
    private readonly RoutingStateHolder _routing;
    private readonly RoutingMemory _memory;
    private readonly UpstreamClient _upstreams;
    private readonly DecisionLogQueue _log;
    private readonly CutoverMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookPipeline> _logger;
    private readonly WebhookSignature? _signature;
    private readonly ObjectPool<ParsedWebhook> _parsers;
    private readonly QueuedIngest? _queue;
    private readonly UserKeyProtection _protection;

    public WebhookPipeline(
        IOptions<CutoverOptions> options,
        RoutingStateHolder routing,
        RoutingMemory memory,
        UpstreamClient upstreams,
        DecisionLogQueue log,
        CutoverMetrics metrics,
        TimeProvider time,
        ILogger<WebhookPipeline> logger,
        QueuedIngest queue,
        UserKeyProtection protection)
    {
        _options = options.Value;
        _routing = routing;
        _memory = memory;
        _upstreams = upstreams;
        _log = log;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _signature = string.IsNullOrEmpty(_options.AppSecret) ? null : new WebhookSignature(_options.AppSecret);
        _parsers = new DefaultObjectPool<ParsedWebhook>(new ParsedWebhookPolicy(), MaxPooledParsers);
        _queue = _options.Delivery.Mode == DeliveryMode.Queued ? queue : null;
        _protection = protection;
    }

    /// <remarks>
    /// Every way out but a delivery answers something other than 200, so that Meta sends the webhook again: a refusal
    /// (413, 401, 400), a body that could not be read (Kestrel's 400 or 408), no upstream taking it (502), and any
    /// exception this code did not expect (500, logged as <c>WebhookCrashed</c>).
    /// </remarks>
    public async Task HandleAsync(HttpContext context)
    {
        string? correlationId = null;

        // Null while tracing is off; else the root of this webhook's trace, whose forwards are its children.
        using var activity = CutoverActivities.StartRoot(CutoverActivities.Webhook, ActivityKind.Server);
        try
        {
            var request = context.Request;
            var limit = _options.Ingress.MaxBodyBytes;

            // :: Step 1. Size check before reading anything.
            if (request.ContentLength > limit)
            {
                await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, RequestOutcomes.PayloadTooLarge,
                    $"the body is {request.ContentLength} bytes; the limit is {limit} (Cutover:Ingress:MaxBodyBytes)");
                return;
            }

            // :: Step 2. Read the whole body (the signature covers all of it; fallback may send it twice).
            using var body = await ReadBodyAsync(context, limit);
            if (body is null)
            {
                return;
            }

            // :: Step 3. Signature, over the raw bytes, in constant time.
            string? signature = request.Headers[HeaderNames.Signature];
            if (_signature is not null && !CheckSignature(body.Span, signature, out var signatureProblem))
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, RequestOutcomes.InvalidSignature, signatureProblem);
                return;
            }

            var parsed = _parsers.Get();
            try
            {
                if (_queue is not null)
                {
                    correlationId = await QueueAsync(context, _queue, body, signature, parsed);
                    activity?.SetTag(CutoverActivities.CorrelationIdTag, correlationId);
                    return;
                }

                // :: Step 4. Parse every update of every entry and change.
                if (!WebhookParser.TryParse(body.Span, parsed, out var parseProblem))
                {
                    await RefuseAsync(context, StatusCodes.Status400BadRequest, RequestOutcomes.MalformedPayload, parseProblem!);
                    return;
                }

                correlationId = CorrelationIds.Next(_time.GetUtcNow());
                context.Response.Headers[HeaderNames.CorrelationId] = correlationId;
                activity?.SetTag(CutoverActivities.CorrelationIdTag, correlationId);

                // Unchecked (no AppSecret), the header goes on only in the one form Meta sends: as it came, it could be
                // anything, and an upstream that checks signatures would refuse the webhook for it.
                var forwardedSignature = _signature is not null || WebhookSignature.IsWellFormed(signature) ? signature : null;
                var status = await RouteAsync(parsed, body, forwardedSignature, correlationId);
                context.Response.StatusCode = status;
                activity?.SetTag(CutoverActivities.StatusCodeTag, status);
                _metrics.Request(status == StatusCodes.Status200OK ? RequestOutcomes.Delivered : RequestOutcomes.NoUpstream);
                if (status != StatusCodes.Status200OK)
                {
                    LogMessages.NoUpstream(_logger, correlationId);
                    await WriteErrorAsync(context, RequestOutcomes.NoUpstream,
                        "no upstream took this webhook; Meta will retry it", correlationId);
                }
            }
            finally
            {
                _parsers.Return(parsed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            await CrashedAsync(context, correlationId, ex);
        }
    }

    /// <summary>
    /// Queued delivery, after the signature: parse, store durably (grouped with concurrent webhooks), answer 200. A signed
    /// body that does not parse is stored and acknowledged all the same (it is a dead letter at once, with the parse
    /// error): Meta would otherwise retry it for 7 days. Unsigned (no <c>AppSecret</c>), nobody vouches for it: 400 as in
    /// direct delivery. A store that fails or does not answer in time is a 503, so Meta retries. Returns the correlation id.
    /// </summary>
    private async Task<string?> QueueAsync(HttpContext context, QueuedIngest queue, RequestBody body, string? signature, ParsedWebhook parsed)
    {
        // :: Step 4. Parse; what cannot be is refused only when nobody signed it.
        var parsedWell = WebhookParser.TryParse(body.Span, parsed, out var parseProblem);
        if (!parsedWell && _signature is null)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, RequestOutcomes.MalformedPayload, parseProblem!);
            return null;
        }

        var now = _time.GetUtcNow();
        var correlationId = CorrelationIds.Next(now);
        context.Response.Headers[HeaderNames.CorrelationId] = correlationId;
        var forwardedSignature = _signature is not null || WebhookSignature.IsWellFormed(signature) ? signature : null;
        var webhook = new InboxWebhook(now, correlationId, body.Span.ToArray(), forwardedSignature,
            parsedWell ? InboxUpdatesOf(parsed, now) : [], parsedWell ? null : parseProblem);

        // :: Step 5. Durable before the answer.
        AcceptResult accepted;
        try
        {
            accepted = await queue.AcceptAsync(webhook);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMessages.NotQueued(_logger, correlationId, ex);
            _metrics.Request(RequestOutcomes.NotQueued);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await WriteErrorAsync(context, "store_unavailable",
                "Cutover could not store this webhook, so it was not accepted; Meta will retry it", correlationId);
            return correlationId;
        }

        _metrics.Request(!parsedWell ? RequestOutcomes.DeadLettered : accepted.Accepted > 0 ? RequestOutcomes.Queued : RequestOutcomes.Duplicate);
        if (accepted.Duplicates > 0)
        {
            _metrics.Duplicates(accepted.Duplicates);
        }

        if (!parsedWell)
        {
            LogMessages.DeadLetteredUnparseable(_logger, correlationId);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        return correlationId;
    }

    /// <summary>
    /// Each update's deduplication key (message id, or status id + status) and person, in the stored forms: the store
    /// orders a person's updates by it, under whichever identifier each one came with. An envelope without updates is
    /// one whole-body delivery (index -1), as direct delivery forwards it whole.
    /// </summary>
    private InboxUpdate[] InboxUpdatesOf(ParsedWebhook parsed, DateTimeOffset now)
    {
        if (parsed.Count == 0)
        {
            return [new InboxUpdate(-1, null, null)];
        }

        var hasher = _protection.Hasher;
        var bucketing = _routing.Current.Topology.Bucketing;
        var updates = new InboxUpdate[parsed.Count];
        for (var i = 0; i < parsed.Count; i++)
        {
            ref readonly var update = ref parsed[i];
            var person = _memory.Identities.Resolve(in update, bucketing, now).Key;
            updates[i] = new InboxUpdate(i, hasher.ProtectMessageId(update.IdempotencyKey), hasher.Protect(person));
        }

        return updates;
    }

    /// <summary>
    /// Step 2: the body, or null when the answer was given here: 413 past the limit, or the status Kestrel chose when it
    /// gave up reading (a body slower than the minimum data rate: 408; malformed chunking: 400). A body that was not
    /// read whole was not delivered, so the answer is never 200.
    /// </summary>
    private async ValueTask<RequestBody?> ReadBodyAsync(HttpContext context, int limit)
    {
        RequestBody? body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            LogMessages.BodyUnreadable(_logger, ex.StatusCode, ex.Message);
            _metrics.Request(RequestOutcomes.BodyUnreadable);
            context.Response.StatusCode = ex.StatusCode;
            return null;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Meta hung up mid-body: no one is left to answer, but should anything still read this response, it is not 200.
            LogMessages.ClientAborted(_logger);
            _metrics.Request(RequestOutcomes.ClientAborted);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        if (body is null)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, RequestOutcomes.PayloadTooLarge,
                $"the body is larger than the limit of {limit} bytes (Cutover:Ingress:MaxBodyBytes)");
        }

        return body;
    }

    /// <summary>An exception no step expected: logged with the correlation id, answered 500 so that Meta retries.</summary>
    private async Task CrashedAsync(HttpContext context, string? correlationId, Exception exception)
    {
        LogMessages.WebhookCrashed(_logger, correlationId ?? "(none yet)", exception);
        _metrics.Request(RequestOutcomes.Crashed);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        if (correlationId is not null)
        {
            context.Response.Headers[HeaderNames.CorrelationId] = correlationId;
        }

        await WriteErrorAsync(context, "internal_error",
            "Cutover failed on this webhook (logged with this correlation id); Meta will retry it", correlationId);
    }

    /// <summary>Steps 5 to 8 for a parsed webhook; returns the status for Meta.</summary>
    internal async Task<int> RouteAsync(ParsedWebhook parsed, RequestBody body, string? signature, string correlationId)
    {
        // An envelope with no update at all (an empty entry list) still reaches an upstream: nothing is dropped.
        var count = Math.Max(parsed.Count, 1);
        var decisions = ArrayPool<UpdateDecision>.Shared.Rent(count);
        try
        {
            // :: Step 5. Classify and route each update, in document order.
            var snapshot = _routing.Current;
            var now = _time.GetUtcNow();
            if (parsed.Count == 0)
            {
                decisions[0] = EmptyEnvelopeDecision(snapshot);
            }
            else
            {
                Router.Decide(parsed, snapshot, _memory, now, decisions);
            }

            // :: Step 6. Group by upstream: one part keeps the original bytes, several are split and re-signed.
            var parts = GroupIntoParts(parsed, decisions.AsSpan(0, count), body, signature);

            // :: Step 7 and 8. Forward concurrently, falling back where unified fails; record each decision.
            var taken = true;
            if (parts.Count == 1)
            {
                taken = await ForwardAsync(parts[0], parsed, decisions, body, correlationId, now);
            }
            else
            {
                var sends = new Task<bool>[parts.Count];
                for (var i = 0; i < parts.Count; i++)
                {
                    sends[i] = ForwardAsync(parts[i], parsed, decisions, body, correlationId, now);
                }

                foreach (var sent in await Task.WhenAll(sends))
                {
                    taken &= sent;
                }
            }

            // :: Step 9. 200 only when every part was taken by some upstream.
            return taken ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway;
        }
        finally
        {
            ArrayPool<UpdateDecision>.Shared.Return(decisions, clearArray: true);
        }
    }

    private List<ForwardPart> GroupIntoParts(ParsedWebhook parsed, ReadOnlySpan<UpdateDecision> decisions, RequestBody body, string? signature)
    {
        var first = decisions[0];
        var oneWay = true;
        for (var i = 1; i < decisions.Length; i++)
        {
            if (decisions[i].Upstream != first.Upstream)
            {
                oneWay = false;
                break;
            }
        }

        if (oneWay)
        {
            var all = new List<int>(decisions.Length);
            for (var i = 0; i < decisions.Length; i++)
            {
                all.Add(i);
            }

            return [new ForwardPart(first.Upstream, first.Route.ToName(), all) { Body = body.Memory, Signature = signature }];
        }

        var parts = new List<ForwardPart>();
        var partOf = new int[decisions.Length];
        for (var i = 0; i < decisions.Length; i++)
        {
            var index = IndexOfUpstream(parts, decisions[i].Upstream);
            if (index < 0)
            {
                index = parts.Count;
                parts.Add(new ForwardPart(decisions[i].Upstream, decisions[i].Route.ToName(), []));
            }

            parts[index].Updates.Add(i);
            partOf[i] = index;
        }

        var bytes = PayloadSplitter.Split(body.Span, parsed, partOf, parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            parts[i].Body = bytes[i];
            parts[i].Signature = _signature?.Sign(bytes[i]);
        }

        return parts;
    }

    private static int IndexOfUpstream(List<ForwardPart> parts, string upstream)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Upstream == upstream)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Sends one part; on a unified failure, sends its updates to their legacy upstreams. Records every decision.</summary>
    private async Task<bool> ForwardAsync(
        ForwardPart part, ParsedWebhook parsed, UpdateDecision[] decisions, RequestBody body, string correlationId, DateTimeOffset now)
    {
        var result = Sent(part, await SendAsync(part, parsed, decisions, correlationId), correlationId);
        if (result.Taken || part.Upstream != RouterTopology.UnifiedUpstream)
        {
            Record(part.Updates, parsed, decisions, correlationId, now, part.Upstream, result, first: null);
            return result.Taken;
        }

        return await FallBackAsync(part, result, parsed, decisions, body, correlationId, now);
    }

    /// <summary>Unified failed (<paramref name="failed"/>): the same updates go to their domains' legacy upstreams, the same bytes where they can.</summary>
    private async Task<bool> FallBackAsync(
        ForwardPart part, ForwardResult failed, ParsedWebhook parsed, UpdateDecision[] decisions, RequestBody body, string correlationId,
        DateTimeOffset now)
    {
        var topology = _routing.Current.Topology;
        var byLegacy = part.Updates.GroupBy(i => topology.LegacyUpstreamOf(decisions[i].Domain)).ToList();
        var taken = true;
        foreach (var group in byLegacy)
        {
            var legacy = new ForwardPart(group.Key, RouteNames.Legacy, [.. group]);
            if (byLegacy.Count == 1)
            {
                legacy.Body = part.Body;
                legacy.Signature = part.Signature;
            }
            else
            {
                var partOf = new int[parsed.Count];
                Array.Fill(partOf, -1);
                foreach (var i in group)
                {
                    partOf[i] = 0;
                }

                legacy.Body = PayloadSplitter.Split(body.Span, parsed, partOf, 1)[0];
                legacy.Signature = _signature?.Sign(legacy.Body.Span);
            }

            LogMessages.FallingBack(_logger, correlationId, legacy.Upstream);
            _metrics.Fallback(legacy.Upstream);
            var second = Sent(legacy, await SendAsync(legacy, parsed, decisions, correlationId), correlationId);
            Record(legacy.Updates, parsed, decisions, correlationId, now, legacy.Upstream, second, first: failed);
            if (second.Taken)
            {
                RememberTakenByLegacy(legacy, parsed, decisions, now);
            }

            taken &= second.Taken;
        }

        return taken;
    }

    /// <summary>
    /// A message legacy took because unified failed was received, and is answered, by legacy: the statuses of that reply
    /// must follow it there, not to the unified route the message was decided for.
    /// </summary>
    private void RememberTakenByLegacy(ForwardPart legacy, ParsedWebhook parsed, UpdateDecision[] decisions, DateTimeOffset now)
    {
        foreach (var i in legacy.Updates)
        {
            if (parsed.Count > 0 && parsed[i].Kind == UpdateKind.Message && decisions[i].PersonKey is { } person)
            {
                _memory.Conversations.RememberInbound(person, null,
                    new InboundRoute(decisions[i].Domain, Route.Legacy, legacy.Upstream, now.UtcTicks));
            }
        }
    }

    /// <summary>
    /// Sends one part and counts the outcome. Not async itself: every async layer on the path allocates its state
    /// machine on every webhook (the upstream's answer always comes later), so the awaiting is left to the callers.
    /// </summary>
    private ValueTask<ForwardResult> SendAsync(ForwardPart part, ParsedWebhook parsed, UpdateDecision[] decisions, string correlationId)
    {
        var headers = new OutboundHeaders(part.Signature, correlationId, DomainsOf(part, decisions), part.Route, IdempotencyKeyOf(part, parsed));
        return _upstreams.SendAsync(part.Upstream, part.Body, headers);
    }

    private ForwardResult Sent(ForwardPart part, ForwardResult result, string correlationId)
    {
        _metrics.Forwarded(part.Upstream, result.Outcome, result.Elapsed);
        if (!result.Delivered)
        {
            LogMessages.UpstreamFailed(_logger, part.Upstream, result.Outcome, result.StatusCode, correlationId, result.Exception);
        }

        return result;
    }

    /// <summary>
    /// Logs the updates of one part. After a fallback (<paramref name="first"/> is unified's failed attempt) the
    /// record keeps unified's handler and error and counts both attempts' time: stats judge the route the user
    /// was put on, and a unified agent that fails every time must show as failing, not vanish behind legacy.
    /// </summary>
    private void Record(
        List<int> updates, ParsedWebhook parsed, UpdateDecision[] decisions, string correlationId, DateTimeOffset now, string upstream,
        ForwardResult result, ForwardResult? first)
    {
        var firstError = first is { } failed ? $"unified {failed.Describe()}" : null;
        var error = result.Delivered ? firstError : firstError is null ? result.Describe() : $"{firstError}; {upstream} {result.Describe()}";
        var latency = (result.Elapsed + (first?.Elapsed ?? TimeSpan.Zero)).TotalMilliseconds;
        var handler = first is { } unified ? unified.Handler : result.Handler;
        var outcome = UpdateOutcomes.Of(result.Delivered, first is not null);
        foreach (var i in updates)
        {
            var d = decisions[i];
            var update = parsed.Count == 0 ? default : parsed[i];
            _metrics.Update(d.Domain, d.Route.ToName(), outcome);
            _log.TryEnqueue(new DecisionRecord(
                now, correlationId, update.Id, d.PersonKey ?? update.UserKey, parsed.Count == 0 ? UpdateKind.Change : update.Kind, d.Domain, d.Rule,
                d.Bucket, d.Route, upstream, handler, result.Delivered, result.StatusCode, latency, error, first is not null));
        }
    }

    private static string DomainsOf(ForwardPart part, UpdateDecision[] decisions)
    {
        var first = decisions[part.Updates[0]].Domain;
        foreach (var i in part.Updates)
        {
            if (decisions[i].Domain != first)
            {
                return JoinDomains(part.Updates, decisions);
            }
        }

        return first;
    }

    // Apart from DomainsOf: a lambda capturing a parameter allocates its closure on every call of the method that
    // declares it, even when the line is not reached, and DomainsOf runs for every part.
    private static string JoinDomains(List<int> updates, UpdateDecision[] decisions) =>
        string.Join(',', updates.Select(u => decisions[u].Domain).Distinct(StringComparer.Ordinal));

    /// <summary>The update's id for one update; for several, a digest of their ids, stable across Meta's retries.</summary>
    private static string? IdempotencyKeyOf(ForwardPart part, ParsedWebhook parsed)
    {
        if (parsed.Count == 0)
        {
            return null;
        }

        if (part.Updates.Count == 1)
        {
            return parsed[part.Updates[0]].IdempotencyKey;
        }

        return DigestOfIds(part.Updates, parsed);
    }

    // Apart from IdempotencyKeyOf for the reason given at JoinDomains.
    private static string DigestOfIds(List<int> updates, ParsedWebhook parsed)
    {
        var joined = string.Join('\n', updates.Select(i => parsed[i].IdempotencyKey ?? string.Empty));
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)).AsSpan(0, 16));
    }

    /// <summary>An envelope with no update (or a body delivered whole): the fallback domain's legacy upstream.</summary>
    internal static UpdateDecision EmptyEnvelopeDecision(RoutingSnapshot snapshot)
    {
        var upstream = snapshot.Topology.LegacyUpstreamOf(RouterTopology.FallbackDomain);
        return new UpdateDecision(RouterTopology.FallbackDomain, ClassificationRule.Fallback, null, -1, Route.Legacy, RouteReason.NoUserKey, -1, upstream);
    }

    private bool CheckSignature(ReadOnlySpan<byte> body, string? header, out string problem)
    {
        if (string.IsNullOrEmpty(header))
        {
            problem = $"the {HeaderNames.Signature} header is missing; Meta signs every webhook with the app secret";
            return false;
        }

        if (!WebhookSignature.IsWellFormed(header))
        {
            problem = $"the {HeaderNames.Signature} header is not sha256= followed by 64 lower-case hex digits, the one form Meta sends";
            return false;
        }

        if (!_signature!.Verify(body, header))
        {
            problem = $"the {HeaderNames.Signature} header does not match the body (is Cutover:AppSecret the app's secret?)";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    private async Task RefuseAsync(HttpContext context, int status, string error, string message)
    {
        LogMessages.WebhookRefused(_logger, status, message);
        _metrics.Request(error);
        context.Response.StatusCode = status;
        await WriteErrorAsync(context, error, message, null);
    }

    private static Task WriteErrorAsync(HttpContext context, string error, string message, string? correlationId) =>
        context.Response.WriteAsJsonAsync(new ErrorBody(error, message, correlationId), ServerJson.Default.ErrorBody);

    private sealed class ParsedWebhookPolicy : PooledObjectPolicy<ParsedWebhook>
    {
        public override ParsedWebhook Create() => new();

        public override bool Return(ParsedWebhook obj)
        {
            obj.Reset();
            return true;
        }
    }
}
