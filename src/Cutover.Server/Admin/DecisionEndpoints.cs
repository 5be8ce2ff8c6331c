using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Delivery;
using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Text;
using Cutover.Core.Webhooks;
using Cutover.Server.Cluster;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using static Cutover.Server.Admin.AdminResults;
using Route = Cutover.Core.Routing.Route;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>GET /admin/decisions</c> and <c>GET /admin/decisions/stream</c>: the decision tail. The decision log's lines, oldest
/// first, filtered by window, errors, the person (typed as the operator knows them: the server protects every identifier
/// of theirs as the log writer did), domain and route; a cursor for only the newer ones. The stream is the same answer
/// followed live: it polls the store after its cursor, so on PostgreSQL it sees every instance's decisions.
/// </summary>
internal sealed class DecisionEndpoints(
    IDecisionStore store,
    RouterTopology topology,
    SharedIdentities identities,
    IClusterStore cluster,
    UserKeyProtection protection,
    IHostApplicationLifetime lifetime,
    TimeProvider time)
{
    /// <summary>The most decisions one answer (or one poll of a stream) returns.</summary>
    public const int MaxLimit = 1_000;

    /// <summary>The streams one instance serves at once; one more is refused with 503 <c>too_many_streams</c>.</summary>
    public const int MaxStreams = 32;

    /// <summary>
    /// How often a stream reads the store. The log writer flushes every <c>DecisionLog:FlushInterval</c> (50 ms by
    /// default), so a decision reaches a follower within about 300 ms of its answer.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a stream may stay silent before it writes a comment, so proxies and clients see it alive.</summary>
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(15);
    private static readonly byte[] Keepalive = ": keepalive\n\n"u8.ToArray();
    private int _streams;

    /// <summary>The streams open now.</summary>
    public int OpenStreams => Volatile.Read(ref _streams);

    public static void Map(RouteGroupBuilder group)
    {
        var (read, _) = AdminPolicies.Split(group);
        read.MapGet("/decisions", static (HttpContext c, DecisionEndpoints api) => api.ListAsync(c));
        read.MapGet("/decisions/stream", static (HttpContext c, DecisionEndpoints api) => api.StreamAsync(c));
    }

    public async Task<IResult> ListAsync(HttpContext context)
    {
        var (query, problem) = await FilterAsync(context.Request.Query, context.RequestAborted);
        if (query is null)
        {
            return problem!;
        }

        var page = await store.ReadDecisionsAsync(query, context.RequestAborted);
        return Json(new DecisionListResponse([.. page.Decisions.Select(View)], DecisionCursor.Format(page.Cursor)),
            ServerJson.Default.DecisionListResponse);
    }

    /// <summary>
    /// <c>text/event-stream</c>: the answer <see cref="ListAsync"/> would give, one <c>event: decision</c> per line, then
    /// each new one as the store has it, until the client goes (or the server stops). A poll reads one page of at most
    /// <c>limit</c>; the next comes at once only when that page was full, so a client's work is bounded by what it reads.
    /// </summary>
    public async Task<IResult> StreamAsync(HttpContext context)
    {
        var (query, problem) = await FilterAsync(context.Request.Query, context.RequestAborted);
        if (query is null)
        {
            return problem!;
        }

        if (Interlocked.Increment(ref _streams) > MaxStreams)
        {
            Interlocked.Decrement(ref _streams);
            return Refuse(AdminError.TooManyStreams,
                $"{MaxStreams} decision streams are open on this instance, the most it serves at once; close one, or read GET /admin/decisions with 'after' instead");
        }

        try
        {
            // The first page is read before the answer starts, so a store that does not answer is still a 503.
            var page = await store.ReadDecisionsAsync(query, context.RequestAborted);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            await FollowAsync(context, query, page, stop.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The client went, or the server stops: the stream simply ends.
        }
        finally
        {
            Interlocked.Decrement(ref _streams);
        }

        return Results.Empty;
    }

    private async Task FollowAsync(HttpContext context, DecisionQuery query, DecisionPage page, CancellationToken cancellationToken)
    {
        var response = context.Response;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx in front: pass each event on at once
        await response.StartAsync(cancellationToken);

        // Starting writes the headers but does not send them: a client waits for them before it reads any event.
        var body = response.BodyWriter;
        await body.FlushAsync(cancellationToken);
        var lastWrite = time.GetTimestamp();
        while (true)
        {
            if (page.Decisions.Count > 0)
            {
                foreach (var decision in page.Decisions)
                {
                    WriteEvent(body, decision);
                }

                await body.FlushAsync(cancellationToken);
                lastWrite = time.GetTimestamp();
            }
            else if (time.GetElapsedTime(lastWrite) >= KeepaliveInterval)
            {
                await body.WriteAsync(Keepalive, cancellationToken);
                lastWrite = time.GetTimestamp();
            }

            // A full page may have more behind it: read on at once. Otherwise wait for the writer's next batches.
            if (page.Decisions.Count < query.Limit)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }

            query = query with { After = page.Cursor, Since = null };
            page = await NextPageAsync(query, page.Cursor, cancellationToken);
        }
    }

    /// <summary>The next page; a store that fails for a moment gives an empty one (keepalives go on) and is read again next time.</summary>
    private async Task<DecisionPage> NextPageAsync(DecisionQuery query, long cursor, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ReadDecisionsAsync(query, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException || ex is StoreException { InnerException: not null })
        {
            return new DecisionPage([], cursor);
        }
    }

    /// <summary><c>event: decision</c>, <c>id:</c> its cursor, <c>data:</c> the JSON object on one line (JSON escapes every line break).</summary>
    private static void WriteEvent(PipeWriter body, LoggedDecision decision)
    {
        body.Write("event: decision\nid: "u8);
        body.Write(Encoding.ASCII.GetBytes(DecisionCursor.Format(decision.Id)));
        body.Write("\ndata: "u8);
        using (var writer = new Utf8JsonWriter(body))
        {
            JsonSerializer.Serialize(writer, View(decision), ServerJson.Default.DecisionView);
        }

        body.Write("\n\n"u8);
    }

    /// <summary>
    /// The query's parameters, each checked, into a store query: <c>window</c> or <c>since</c>, <c>errors</c>, <c>user</c>,
    /// <c>domain</c>, <c>route</c>, <c>limit</c>, <c>after</c>. A bad one is a 400 naming it.
    /// </summary>
    private async Task<(DecisionQuery? Query, IResult? Problem)> FilterAsync(IQueryCollection parameters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var limit = 100;
        if (parameters.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Bad($"'limit' must be a whole number from 1 to {MaxLimit}, not '{Quote(limitText)}'");
        }

        string? window = parameters["window"];
        string? sinceText = parameters["since"];
        DateTimeOffset? since = null;
        if (window is not null && sinceText is not null)
        {
            return Bad("give 'window' (how far back, such as 15m) or 'since' (a time), not both");
        }

        if (sinceText is not null)
        {
            if (!DeadLetterTime.TryParse(sinceText, now, out var at, out var timeProblem))
            {
                return Bad($"'since': {timeProblem}");
            }

            since = at;
        }
        else if (window is not null || !parameters.ContainsKey("after"))
        {
            // Without a window a cursor alone says where to start: a follower that was away longer still gets everything.
            var span = DefaultWindow;
            if (window is not null && !StatsWindow.TryParse(window, out span, out _))
            {
                return Bad($"'window' must be a duration such as 15m, 1h or 2d, from 1m to 90d, not '{Quote(window)}'");
            }

            since = now - span;
        }

        var errors = false;
        if (parameters.TryGetValue("errors", out var errorsText) && !bool.TryParse(errorsText, out errors))
        {
            return Bad($"'errors' must be true or false, not '{Quote(errorsText)}'");
        }

        string? domain = parameters["domain"];
        if (domain is not null && !topology.Domains.ContainsKey(domain))
        {
            return (null, Refuse(AdminError.UnknownDomain,
                $"'domain' must be a configured domain ({string.Join(", ", topology.Domains.Keys.Order(StringComparer.Ordinal))}), not '{Quote(domain)}'"));
        }

        string? routeText = parameters["route"];
        Route? route = null;
        if (routeText is not null)
        {
            if (routeText is not (RouteNames.Unified or RouteNames.Legacy))
            {
                return Bad($"'route' must be unified or legacy, not '{Quote(routeText)}'");
            }

            route = routeText == RouteNames.Unified ? Route.Unified : Route.Legacy;
        }

        long? after = null;
        string? cursorText = parameters["after"];
        if (cursorText is not null)
        {
            if (!DecisionCursor.TryParse(cursorText, out var id))
            {
                return Bad($"'after' must be a cursor from an earlier answer of /admin/decisions, not '{Quote(cursorText)}'");
            }

            after = id;
        }

        IReadOnlyList<string>? userKeys = null;
        string? user = parameters["user"];
        if (user is not null)
        {
            var typed = TypedUser(user);
            if (!WebhookIds.IsPlain(typed))
            {
                return (null, Refuse(AdminError.InvalidUser,
                    "'user' is a phone number (+1 555 010 0123 or its digits) or a business-scoped id (US.1234…): 1 to 128 printable ASCII characters"));
            }

            userKeys = await StoredKeysAsync(typed, cancellationToken);
        }

        return (new DecisionQuery(Limit: limit, Since: since)
        {
            UserKeys = userKeys,
            Domain = domain,
            Route = route,
            ErrorsOnly = errors,
            After = after,
        }, null);

        static (DecisionQuery?, IResult?) Bad(string message) => (null, Refuse(AdminError.InvalidRequest, message));
    }

    /// <summary>
    /// Every form the log may hold a person's decisions under: the log writer stores the person's key (their first
    /// identifier) or, for an update that named nobody known yet, the identifier it carried, each protected with the
    /// store's hash key (as is, with raw keys). So: the typed identifier, and every identifier of the person it belongs
    /// to, in this instance's identity map and in the store's (what any instance learned).
    /// </summary>
    private async Task<IReadOnlyList<string>> StoredKeysAsync(string typed, CancellationToken cancellationToken)
    {
        var hasher = protection.Hasher;
        var asked = hasher.Protect(typed)!;
        var keys = new List<string> { asked };
        void Add(string key)
        {
            if (keys.Count < DecisionQuery.MaxUserKeys && !keys.Contains(key, StringComparer.Ordinal))
            {
                keys.Add(key);
            }
        }

        if (identities.Map.Find(typed) is { } person)
        {
            Add(hasher.Protect(person.Key)!);
            foreach (var identifier in person.Identifiers)
            {
                Add(hasher.Protect(identifier)!);
            }
        }

        foreach (var entry in await cluster.FindPersonAsync(asked, cancellationToken))
        {
            Add(entry.Person);
            Add(entry.Identifier);
        }

        return keys;
    }

    /// <summary>
    /// A phone number as people write it (<c>+1 (555) 010-0123</c>) to the digits a webhook carries; anything else (a
    /// business-scoped id) as typed.
    /// </summary>
    private static string TypedUser(string text)
    {
        var s = text.Trim();
        var digits = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not (' ' or '-' or '(' or ')' or '.') && !(c == '+' && digits == 0))
            {
                return text;
            }
        }

        if (digits == 0)
        {
            return text;
        }

        var plain = new StringBuilder(digits);
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                plain.Append(c);
            }
        }

        return plain.ToString();
    }

    private static DecisionView View(LoggedDecision logged)
    {
        var d = logged.Decision;
        return new DecisionView(
            logged.Id, d.At, d.CorrelationId, d.Domain, d.Rule.ToName(), d.Route.ToName(), d.Upstream, d.Handler, d.Success ? "ok" : "error",
            d.StatusCode, Math.Round(d.LatencyMs, 3), d.Error, d.Fallback, d.UserKey, d.Kind.ToName());
    }

    private static string Quote(string? text) => UnsafeText.Sanitize(text ?? string.Empty);
}
