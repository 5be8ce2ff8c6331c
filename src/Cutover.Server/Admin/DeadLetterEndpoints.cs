using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Cutover.Core.Delivery;
using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Core.Text;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>/admin/dlq</c>: the dead letters of queued delivery. List and show them (read); queue them again (operate), by
/// id or every one that matches the filters, routed as usual or sent to a route or upstream; purge the old ones
/// (operate). A replay and a purge need a reason and are recorded in the audit trail with the caller's token name.
/// </summary>
internal sealed class DeadLetterEndpoints(
    IDeliveryStore store,
    IRoutingStore audit,
    RouterTopology topology,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<DeadLetterEndpoints> logger)
{
    /// <summary>The most letters one list returns, ids one replay takes, and ids one answer lists.</summary>
    public const int MaxLimit = 1_000;

    /// <summary>The most ids an audit event keeps: enough to trace a replay, short enough to read in <c>history</c>.</summary>
    private const int AuditIds = 100;

    public static void Map(RouteGroupBuilder group)
    {
        var (read, operate) = AdminPolicies.Split(group);
        read.MapGet("/dlq", static (HttpContext c, DeadLetterEndpoints api) => api.ListAsync(c));
        read.MapGet("/dlq/{id}", static (HttpContext c, string id, DeadLetterEndpoints api) => api.ShowAsync(id, c.RequestAborted));
        operate.MapPost("/dlq/replay", static (HttpContext c, DeadLetterEndpoints api) => api.ReplayAsync(c, AdminPrincipal.Of(c)));
        operate.MapPost("/dlq/purge", static (HttpContext c, DeadLetterEndpoints api) => api.PurgeAsync(c, AdminPrincipal.Of(c)));
    }

    public async Task<IResult> ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Refuse(AdminError.InvalidRequest, $"'limit' must be a whole number from 1 to {MaxLimit}, not '{Quote(limitText)}'");
        }

        var now = time.GetUtcNow();
        var (filter, problem) = Filter(query["since"], query["domain"], query["upstream"], query["reason"], "reason", now);
        if (problem is not null)
        {
            return problem;
        }

        var letters = await store.ListDeadLettersAsync(filter! with { Limit = limit }, context.RequestAborted);
        return Json(new DeadLetterListResponse([.. letters.Select(l => View(l, now))]), ServerJson.Default.DeadLetterListResponse);
    }

    public async Task<IResult> ShowAsync(string id, CancellationToken cancellationToken)
    {
        if (!TryId(id, out var number))
        {
            return Refuse(AdminError.InvalidRequest, $"a dead letter's id is a whole number such as 42 (see GET /admin/dlq), not '{Quote(id)}'");
        }

        if (await store.GetDeadLetterAsync(number, cancellationToken) is not { } detail)
        {
            return Refuse(AdminError.NotFound, $"no dead letter with id {number}: it may have been replayed or purged, or never died (GET /admin/dlq lists them)");
        }

        // A body Meta signed is UTF-8 JSON; one that is not (an unparseable dead letter) must still come back byte for byte.
        var (body, encoding) = Utf8.IsValid(detail.Body)
            ? (Encoding.UTF8.GetString(detail.Body), "utf8")
            : (Convert.ToBase64String(detail.Body), "base64");
        return Json(new DeadLetterDetailView(
            View(detail.Letter, time.GetUtcNow()),
            [.. detail.History.Select(static a => new DeliveryAttemptView(a.Number, a.At, a.Upstream, a.Route, a.StatusCode, a.Error, a.LatencyMs))],
            body,
            encoding,
            detail.Body.Length), ServerJson.Default.DeadLetterDetailView);
    }

    public async Task<IResult> ReplayAsync(HttpContext context, AdminPrincipal principal)
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.DeadLetterReplayRequest);
        if (request is null)
        {
            return problem!;
        }

        if (ReasonText.Check(request.Reason, "a replay needs a reason: say why these dead letters go again (--reason)") is { } bad)
        {
            return Refuse(AdminErrors.Of(bad.Error), bad.Message);
        }

        var all = request.All == true;
        var ids = request.Ids ?? [];
        if (all == ids.Count > 0)
        {
            return Refuse(AdminError.InvalidRequest, all
                ? "give either 'ids' or 'all': true, not both"
                : "say which dead letters to replay: 'ids' (a list of ids) or 'all': true (with optional filters since, domain, upstream, dead_reason)");
        }

        if (!all && (request.Since ?? request.Domain ?? request.Upstream ?? request.DeadReason) is not null)
        {
            return Refuse(AdminError.InvalidRequest, "'since', 'domain', 'upstream' and 'dead_reason' filter 'all': true; with 'ids' the ids alone say which");
        }

        if (ids.Count > MaxLimit)
        {
            return Refuse(AdminError.InvalidRequest, $"'ids' lists {ids.Count} ids; at most {MaxLimit} go in one replay ('all': true with filters takes any number)");
        }

        if (ids.Exists(static i => i <= 0))
        {
            return Refuse(AdminError.InvalidRequest, $"'ids' must hold dead letters' ids, whole numbers from 1, not {ids.Find(static i => i <= 0)}");
        }

        var to = request.To;
        if (to is not null && to is not (RouteNames.Unified or RouteNames.Legacy) && !options.Value.Upstreams.ContainsKey(to))
        {
            return Refuse(AdminError.InvalidRequest,
                $"'to' must be unified, legacy or a configured upstream ({string.Join(", ", options.Value.Upstreams.Keys.Order(StringComparer.Ordinal))}), not '{Quote(to)}'");
        }

        var now = time.GetUtcNow();
        var filter = Filter(request.Since, request.Domain, request.Upstream, request.DeadReason, "dead_reason", now);
        if (filter.Problem is not null)
        {
            return filter.Problem;
        }

        // Checked, the replay runs to its end and is recorded even if the caller goes away: a replay cut short by a
        // closed connection would have queued letters again with no audit event saying who and why.
        var moved = all
            ? await ReplayMatchingAsync(filter.Query! with { Limit = MaxLimit, Until = now }, to, now)
            : [.. await store.ReplayAsync(ids, to, now, CancellationToken.None)];
        var replayed = moved.ToHashSet();
        List<long> notReplayed = all ? [] : [.. ids.Distinct().Where(i => !replayed.Contains(i)).Order()];
        if (!all && moved.Count == 0)
        {
            return Refuse(AdminError.NotFound,
                $"no dead letter with id {string.Join(", ", notReplayed.Take(20))}{(notReplayed.Count > 20 ? ", …" : string.Empty)}: "
                + "already replayed, purged, or never dead (GET /admin/dlq lists them)");
        }

        HistoryEvent? recorded = null;
        if (moved.Count > 0)
        {
            var reason = request.Reason!.Trim();
            var after = ReplayRecord(moved, to, all ? filter.Query : null);
            var stored = await audit.AppendAuditAsync(new AuditEvent(0, now, AuditKinds.DlqReplay, principal.Name, reason, null, after), CancellationToken.None);
            recorded = ContractMapper.History(stored);
            LogMessages.DeadLettersReplayed(logger, principal.Name, moved.Count, to ?? "routing", reason);
        }

        return Json(
            new DeadLetterReplayResponse(moved.Count, [.. moved.Take(MaxLimit)], moved.Count > MaxLimit, notReplayed, to, recorded),
            ServerJson.Default.DeadLetterReplayResponse);
    }

    public async Task<IResult> PurgeAsync(HttpContext context, AdminPrincipal principal)
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.DeadLetterPurgeRequest);
        if (request is null)
        {
            return problem!;
        }

        if (ReasonText.Check(request.Reason, "a purge needs a reason: say why these dead letters can go (--reason)") is { } bad)
        {
            return Refuse(AdminErrors.Of(bad.Error), bad.Message);
        }

        var now = time.GetUtcNow();
        if (request.Before is null)
        {
            return Refuse(AdminError.InvalidRequest, "'before' is required: the dead letters that died before it are deleted (a time such as 2026-11-25T09:00:00Z, or 7d)");
        }

        if (!DeadLetterTime.TryParse(request.Before, now, out var before, out var timeProblem))
        {
            return Refuse(AdminError.InvalidRequest, $"'before': {timeProblem}");
        }

        var purged = await store.PurgeDeadLettersAsync(before, CancellationToken.None);
        HistoryEvent? recorded = null;
        if (purged > 0)
        {
            var reason = request.Reason!.Trim();
            var after = Record(w =>
            {
                w.WriteNumber("purged", purged);
                w.WriteString("before", before.ToString("O", CultureInfo.InvariantCulture));
            });
            var stored = await audit.AppendAuditAsync(new AuditEvent(0, now, AuditKinds.DlqPurge, principal.Name, reason, null, after), CancellationToken.None);
            recorded = ContractMapper.History(stored);
            LogMessages.DeadLettersPurged(logger, principal.Name, purged, before, reason);
        }

        return Json(new DeadLetterPurgeResponse(purged, before, recorded), ServerJson.Default.DeadLetterPurgeResponse);
    }

    /// <summary>
    /// Replays every dead letter that matches, a page at a time, so no transaction holds the store's write lock for long
    /// (on SQLite that lock is the one acceptances wait for). <c>Until</c> (the replay's start) and the ids already seen
    /// keep a letter that dies again while the loop runs (an upstream that rejects at once) from being replayed twice.
    /// </summary>
    private async Task<List<long>> ReplayMatchingAsync(DeadLetterQuery query, string? to, DateTimeOffset now)
    {
        var seen = new HashSet<long>();
        var moved = new List<long>();
        while (true)
        {
            var page = await store.ListDeadLettersAsync(query, CancellationToken.None);
            var fresh = new List<long>(page.Count);
            foreach (var letter in page)
            {
                if (seen.Add(letter.Id))
                {
                    fresh.Add(letter.Id);
                }
            }

            if (fresh.Count == 0)
            {
                break;
            }

            moved.AddRange(await store.ReplayAsync(fresh, to, now, CancellationToken.None));
            if (page.Count < query.Limit)
            {
                break;
            }
        }

        moved.Sort();
        return moved;
    }

    /// <summary>
    /// The filters of a list or a replay of all, each checked: <paramref name="since"/> a time or a window back from now,
    /// <paramref name="domain"/> a configured domain, <paramref name="upstream"/> a configured upstream, the dead-letter
    /// reason (named <paramref name="reasonName"/> in the request) one of <see cref="DeadLetterReasons.All"/>.
    /// </summary>
    private (DeadLetterQuery? Query, IResult? Problem) Filter(
        string? since, string? domain, string? upstream, string? reason, string reasonName, DateTimeOffset now)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DeadLetterTime.TryParse(since, now, out var at, out var problem))
            {
                return (null, Refuse(AdminError.InvalidRequest, $"'since': {problem}"));
            }

            from = at;
        }

        if (domain is not null && !topology.Domains.ContainsKey(domain))
        {
            return (null, Refuse(AdminError.UnknownDomain,
                $"'domain' must be a configured domain ({string.Join(", ", topology.Domains.Keys.Order(StringComparer.Ordinal))}), not '{Quote(domain)}'"));
        }

        if (upstream is not null && !options.Value.Upstreams.ContainsKey(upstream))
        {
            return (null, Refuse(AdminError.InvalidRequest,
                $"'upstream' must be a configured upstream ({string.Join(", ", options.Value.Upstreams.Keys.Order(StringComparer.Ordinal))}), not '{Quote(upstream)}'"));
        }

        if (reason is not null && !DeadLetterReasons.All.Contains(reason, StringComparer.Ordinal))
        {
            return (null, Refuse(AdminError.InvalidRequest,
                $"'{reasonName}' must be a dead-letter reason ({string.Join(", ", DeadLetterReasons.All)}), not '{Quote(reason)}'"));
        }

        return (new DeadLetterQuery(Since: from, Domain: domain, Upstream: upstream, Reason: reason), null);
    }

    private static DeadLetterView View(DeadLetter l, DateTimeOffset now) => new(
        l.Id, l.InboxId, l.UpdateIndex, l.AcceptedAt, l.DeadAt, Math.Round(Math.Max(0, (now - l.AcceptedAt).TotalSeconds), 3), l.Reason, l.Error,
        l.Attempts, l.LastUpstream, l.Domain, l.Route);

    /// <summary>The audit event's <c>after</c>: how many, which (the first <see cref="AuditIds"/>), where to, and the filters of a replay of all.</summary>
    private static string ReplayRecord(List<long> moved, string? to, DeadLetterQuery? filter) => Record(w =>
    {
        w.WriteNumber("replayed", moved.Count);
        w.WriteStartArray("ids");
        foreach (var id in moved.Take(AuditIds))
        {
            w.WriteNumberValue(id);
        }

        w.WriteEndArray();
        if (moved.Count > AuditIds)
        {
            w.WriteBoolean("ids_truncated", true);
        }

        w.WriteString("to", to);
        if (filter is not null)
        {
            w.WriteBoolean("all", true);
            if (filter.Since is { } since)
            {
                w.WriteString("since", since.ToString("O", CultureInfo.InvariantCulture));
            }

            WriteIfSet(w, "domain", filter.Domain);
            WriteIfSet(w, "upstream", filter.Upstream);
            WriteIfSet(w, "dead_reason", filter.Reason);
        }
    });

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string Record(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool TryId(string text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static string Quote(string? text) => UnsafeText.Sanitize(text ?? string.Empty);
}
