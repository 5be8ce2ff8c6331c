using System.Net;
using System.Text;
using System.Text.Json;
using Cutover.Core.Delivery;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

/// <summary>
/// <c>/admin/dlq…</c> against a real router and its real SQLite store: dead letters are made through the store's own
/// acceptance (an unparseable body dies at once) or a claim and a dead-lettering with an attempt, as the worker makes them.
/// </summary>
public sealed class DeadLetterEndpointTests : RouterTest
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private int _seeded;

    protected override void Configure(Dictionary<string, string?> settings) => WithTokens(settings);

    private IDeliveryStore Store => Router.Service<IDeliveryStore>();

    /// <summary>The server's clock (the system's here), which ages and windows are counted from.</summary>
    private DateTimeOffset Now => Router.Service<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task List_NewestFirst_EachFilterNarrowsIt()
    {
        // arrange: jobs died 3 h ago at unified, marketplace 30 min ago at its legacy upstream, an unparseable body now
        var jobs = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromHours(3));
        var market = await DieAsync("marketplace", "marketplace", DeadLetterReasons.Rejected, TimeSpan.FromMinutes(30), status: 400, route: "legacy");
        var junk = await UnparseableAsync("not json"u8.ToArray());
        var oneHourAgo = Now.AddHours(-1).ToString("O");

        // act, assert
        Assert.Equal([junk, market, jobs], await IdsAsync("admin/dlq"));
        Assert.Equal([jobs], await IdsAsync("admin/dlq?domain=jobs"));
        Assert.Equal([market], await IdsAsync("admin/dlq?upstream=marketplace"));
        Assert.Equal([junk], await IdsAsync("admin/dlq?reason=unparseable"));
        Assert.Equal([market], await IdsAsync("admin/dlq?reason=rejected"));
        Assert.Equal([junk, market], await IdsAsync("admin/dlq?since=1h"));
        Assert.Equal([junk, market], await IdsAsync("admin/dlq?since=" + Uri.EscapeDataString(oneHourAgo)));
        Assert.Equal([market], await IdsAsync("admin/dlq?since=2h&domain=marketplace&reason=rejected"));
        Assert.Equal([junk], await IdsAsync("admin/dlq?limit=1"));

        var letter = (await GetJsonAsync("admin/dlq?domain=jobs")).GetProperty("letters")[0];
        Assert.Equal("attempts_exhausted", letter.GetProperty("reason").GetString());
        Assert.Equal(("unified", "jobs", "unified"), (letter.GetProperty("last_upstream").GetString(), letter.GetProperty("domain").GetString(),
            letter.GetProperty("route").GetString()));
        Assert.Equal(1, letter.GetProperty("attempts").GetInt32());
        Assert.Equal("upstream answered 503", letter.GetProperty("error").GetString());
        Assert.Equal(0, letter.GetProperty("update_index").GetInt32());
        Assert.InRange(letter.GetProperty("age_seconds").GetDouble(), 3 * 3600, 4 * 3600);
        var unparseable = (await GetJsonAsync("admin/dlq?reason=unparseable")).GetProperty("letters")[0];
        Assert.Equal(-1, unparseable.GetProperty("update_index").GetInt32());
        Assert.Equal(JsonValueKind.Null, unparseable.GetProperty("domain").ValueKind);
        Assert.Equal("bad json at byte 0", unparseable.GetProperty("error").GetString());
    }

    [Fact]
    public async Task List_NoneYet_EmptyList()
    {
        Assert.Empty(await IdsAsync("admin/dlq"));
    }

    [Fact]
    public async Task Show_Utf8Body_TheLetterEveryAttemptAndTheBodyAsText()
    {
        // Meta's bodies carry non-ASCII text as UTF-8, unescaped
        var sent = """{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"text":{"body":"Ndashaka akazi, café"}}]}}]}]}""";
        var id = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromMinutes(5), body: Encoding.UTF8.GetBytes(sent));

        var show = await GetJsonAsync($"admin/dlq/{id}");

        Assert.Equal(id, show.GetProperty("letter").GetProperty("id").GetInt64());
        Assert.Equal("utf8", show.GetProperty("body_encoding").GetString());
        Assert.Equal(sent, show.GetProperty("body").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(sent), show.GetProperty("body_bytes").GetInt32());
        var attempt = Assert.Single(show.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("number").GetInt32());
        Assert.Equal(("unified", "unified", 503), (attempt.GetProperty("upstream").GetString(), attempt.GetProperty("route").GetString(),
            attempt.GetProperty("status_code").GetInt32()));
        Assert.Equal("upstream answered 503", attempt.GetProperty("error").GetString());
        Assert.Equal(12.5, attempt.GetProperty("latency_ms").GetDouble());
        Assert.True(attempt.TryGetProperty("at", out _));
    }

    [Fact]
    public async Task Show_NotUtf8_Base64WithTheByteCount_NoAttempts()
    {
        byte[] bytes = [0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xc3];
        var id = await UnparseableAsync(bytes);

        var show = await GetJsonAsync($"admin/dlq/{id}");

        Assert.Equal("base64", show.GetProperty("body_encoding").GetString());
        Assert.Equal(bytes, Convert.FromBase64String(show.GetProperty("body").GetString()!));
        Assert.Equal(bytes.Length, show.GetProperty("body_bytes").GetInt32());
        Assert.Empty(show.GetProperty("attempts").EnumerateArray());
        Assert.Equal("unparseable", show.GetProperty("letter").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Show_UnknownId_404NamingIt()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/dlq/987654", token: ReadToken);

        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("\"not_found\"", body);
        Assert.Contains("987654", body);
    }

    [Fact]
    public async Task Replay_ByIds_BackToPendingWithTheTarget_UnknownIdsNamed_AuditedWithActorAndReason()
    {
        // arrange
        var first = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromMinutes(10));
        var second = await DieAsync("property", "unified", DeadLetterReasons.MaxAge, TimeSpan.FromMinutes(5));

        // act
        var replay = await PostJsonAsync("admin/dlq/replay", $$"""{"ids": [{{first}}, 999999], "to": "legacy", "reason": "unified is back"}""");

        // assert: the answer
        Assert.Equal(1, replay.GetProperty("replayed").GetInt32());
        Assert.Equal([first], replay.GetProperty("ids").EnumerateArray().Select(static i => i.GetInt64()));
        Assert.False(replay.GetProperty("ids_truncated").GetBoolean());
        Assert.Equal([999999L], replay.GetProperty("not_replayed").EnumerateArray().Select(static i => i.GetInt64()));
        Assert.Equal("legacy", replay.GetProperty("to").GetString());
        var recorded = replay.GetProperty("event");
        Assert.Equal(("dlq_replay", "alice", "unified is back"), (recorded.GetProperty("kind").GetString(), recorded.GetProperty("actor").GetString(),
            recorded.GetProperty("reason").GetString()));

        // the row is pending again, due now, with its target and a fresh budget; the other is still dead
        var claimed = Assert.Single(await Store.ClaimAsync("check", 10, Now.AddSeconds(1), Lease, Cancel));
        Assert.Equal((first, "legacy", 0), (claimed.Id, claimed.Target, claimed.Attempts));
        Assert.Equal([second], await IdsAsync("admin/dlq"));

        // the audit trail, as history shows it, filtered by the new kind
        var history = (await GetJsonAsync("admin/history?kind=dlq_replay")).GetProperty("events");
        var audited = Assert.Single(history.EnumerateArray());
        Assert.Equal(("alice", "unified is back"), (audited.GetProperty("actor").GetString(), audited.GetProperty("reason").GetString()));
        var after = audited.GetProperty("after");
        Assert.Equal(1, after.GetProperty("replayed").GetInt32());
        Assert.Equal([first], after.GetProperty("ids").EnumerateArray().Select(static i => i.GetInt64()));
        Assert.Equal("legacy", after.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Replay_ByIds_NoneIsADeadLetter_404NamingThem_NothingAudited()
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/dlq/replay", """{"ids": [424242], "reason": "x"}""", OperateToken);

        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("424242", body);
        Assert.Empty((await GetJsonAsync("admin/history?kind=dlq_replay")).GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task Replay_AllWithFilters_OnlyTheMatchingOnes_RoutedAsUsual()
    {
        // arrange
        var oldJobs = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromHours(5));
        var jobs = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromMinutes(20));
        var jobsRejected = await DieAsync("jobs", "unified", DeadLetterReasons.Rejected, TimeSpan.FromMinutes(15), status: 400);
        var market = await DieAsync("marketplace", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromMinutes(10));

        // act
        var replay = await PostJsonAsync("admin/dlq/replay",
            """{"all": true, "since": "1h", "domain": "jobs", "upstream": "unified", "dead_reason": "attempts_exhausted", "reason": "jobs handler redeployed"}""");

        // assert
        Assert.Equal(1, replay.GetProperty("replayed").GetInt32());
        Assert.Equal([jobs], replay.GetProperty("ids").EnumerateArray().Select(static i => i.GetInt64()));
        Assert.Equal(JsonValueKind.Null, replay.GetProperty("to").ValueKind);
        Assert.Equal([market, jobsRejected, oldJobs], await IdsAsync("admin/dlq"));
        var claimed = Assert.Single(await Store.ClaimAsync("check", 10, Now.AddSeconds(1), Lease, Cancel));
        Assert.Equal((jobs, (string?)null), (claimed.Id, claimed.Target));
        var after = replay.GetProperty("event").GetProperty("after");
        Assert.True(after.GetProperty("all").GetBoolean());
        Assert.Equal(("jobs", "unified", "attempts_exhausted"), (after.GetProperty("domain").GetString(), after.GetProperty("upstream").GetString(),
            after.GetProperty("dead_reason").GetString()));
    }

    [Fact]
    public async Task Replay_AllOverMoreThanOnePage_EveryLetterOnce_IdsListCapped()
    {
        // arrange: 1,050 unparseable bodies, more than one page of 1,000
        var now = Now;
        await Store.AcceptAsync([.. Enumerable.Range(0, 1_050).Select(i => new InboxWebhook(now.AddMilliseconds(-i), $"c{i}", [1, 2, 3], "sig", [], "bad json"))], Cancel);

        // act
        var replay = await PostJsonAsync("admin/dlq/replay", """{"all": true, "to": "unified", "reason": "parser fixed"}""");

        // assert
        Assert.Equal(1_050, replay.GetProperty("replayed").GetInt32());
        Assert.Equal(1_000, replay.GetProperty("ids").GetArrayLength());
        Assert.True(replay.GetProperty("ids_truncated").GetBoolean());
        Assert.Equal(1_000, replay.GetProperty("ids").EnumerateArray().Select(static i => i.GetInt64()).Distinct().Count());
        Assert.Empty(await IdsAsync("admin/dlq"));
        Assert.Equal(1_050, (await Store.QueueStatsAsync(Cancel)).Pending);
        Assert.True(replay.GetProperty("event").GetProperty("after").GetProperty("ids_truncated").GetBoolean());
    }

    [Fact]
    public async Task Purge_DeletesOnlyThoseThatDiedBefore_Audited()
    {
        // arrange
        var old = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromHours(3));
        var recent = await DieAsync("jobs", "unified", DeadLetterReasons.AttemptsExhausted, TimeSpan.FromMinutes(3));

        // act
        var purge = await PostJsonAsync("admin/dlq/purge", """{"before": "1h", "reason": "retention"}""");
        var nothing = await PostJsonAsync("admin/dlq/purge", """{"before": "2026-01-01T00:00:00Z", "reason": "again"}""");

        // assert
        Assert.Equal(1, purge.GetProperty("purged").GetInt64());
        Assert.InRange(purge.GetProperty("before").GetDateTimeOffset(), Now.AddHours(-1).AddMinutes(-1), Now.AddHours(-1));
        Assert.Equal(("dlq_purge", "alice"), (purge.GetProperty("event").GetProperty("kind").GetString(), purge.GetProperty("event").GetProperty("actor").GetString()));
        Assert.Equal(1, purge.GetProperty("event").GetProperty("after").GetProperty("purged").GetInt64());
        Assert.Equal(0, nothing.GetProperty("purged").GetInt64());
        Assert.Equal(JsonValueKind.Null, nothing.GetProperty("event").ValueKind);
        Assert.Equal([recent], await IdsAsync("admin/dlq"));
        Assert.DoesNotContain(old, await IdsAsync("admin/dlq"));
        var history = (await GetJsonAsync("admin/history?kind=dlq_purge")).GetProperty("events");
        Assert.Equal("retention", Assert.Single(history.EnumerateArray()).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("GET", "admin/dlq", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "admin/dlq", ReadToken, HttpStatusCode.OK)]
    [InlineData("GET", "admin/dlq/1", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "admin/dlq/1", ReadToken, HttpStatusCode.NotFound)]
    [InlineData("POST", "admin/dlq/replay", null, HttpStatusCode.Unauthorized)]
    [InlineData("POST", "admin/dlq/replay", "not-a-configured-token", HttpStatusCode.Unauthorized)]
    [InlineData("POST", "admin/dlq/replay", ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("POST", "admin/dlq/replay", OperateToken, HttpStatusCode.OK)]
    [InlineData("POST", "admin/dlq/purge", null, HttpStatusCode.Unauthorized)]
    [InlineData("POST", "admin/dlq/purge", ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("POST", "admin/dlq/purge", OperateToken, HttpStatusCode.OK)]
    public async Task Roles_ReadReadsOperateChanges(string method, string path, string? token, HttpStatusCode expected)
    {
        var body = path.EndsWith("replay", StringComparison.Ordinal) ? """{"all": true, "reason": "roles"}"""
            : path.EndsWith("purge", StringComparison.Ordinal) ? """{"before": "1h", "reason": "roles"}"""
            : null;

        using var response = await Router.AdminAsync(new HttpMethod(method), path, body, token);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("admin/dlq?limit=0", "invalid_request", "'limit'")]
    [InlineData("admin/dlq?limit=1001", "invalid_request", "'limit'")]
    [InlineData("admin/dlq?limit=ten", "invalid_request", "'limit'")]
    [InlineData("admin/dlq?since=yesterday", "invalid_request", "'since'")]
    [InlineData("admin/dlq?since=100d", "invalid_request", "'since'")]
    [InlineData("admin/dlq?domain=shoes", "unknown_domain", "'domain'")]
    [InlineData("admin/dlq?upstream=nowhere", "invalid_request", "'upstream'")]
    [InlineData("admin/dlq?reason=boom", "invalid_request", "'reason'")]
    [InlineData("admin/dlq/abc", "invalid_request", "'abc'")]
    [InlineData("admin/dlq/0", "invalid_request", "'0'")]
    [InlineData("admin/dlq/-5", "invalid_request", "'-5'")]
    public async Task BadQuery_400NamingTheProblem(string path, string error, string named)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, path, token: ReadToken);

        await AssertRefusedAsync(response, error, named);
    }

    [Theory]
    [InlineData("""{"ids": [1]}""", "reason_required", "reason")]
    [InlineData("""{"ids": [1], "reason": "  "}""", "reason_required", "reason")]
    [InlineData("""{"ids": [1], "reason": "a\u001b[31mb"}""", "reason_invalid", "control character")]
    [InlineData("""{"reason": "x"}""", "invalid_request", "'ids'")]
    [InlineData("""{"all": false, "reason": "x"}""", "invalid_request", "'ids'")]
    [InlineData("""{"ids": [1], "all": true, "reason": "x"}""", "invalid_request", "not both")]
    [InlineData("""{"ids": [1], "domain": "jobs", "reason": "x"}""", "invalid_request", "'domain'")]
    [InlineData("""{"ids": [0], "reason": "x"}""", "invalid_request", "'ids'")]
    [InlineData("""{"ids": ["seven"], "reason": "x"}""", "invalid_request", "not valid JSON")]
    [InlineData("""{"ids": [1], "to": "nowhere", "reason": "x"}""", "invalid_request", "'to'")]
    [InlineData("""{"all": true, "to": "Unified", "reason": "x"}""", "invalid_request", "'to'")]
    [InlineData("""{"all": true, "since": "last week", "reason": "x"}""", "invalid_request", "'since'")]
    [InlineData("""{"all": true, "domain": "shoes", "reason": "x"}""", "unknown_domain", "'domain'")]
    [InlineData("""{"all": true, "upstream": "nowhere", "reason": "x"}""", "invalid_request", "'upstream'")]
    [InlineData("""{"all": true, "dead_reason": "reason", "reason": "x"}""", "invalid_request", "'dead_reason'")]
    [InlineData("{all: true", "invalid_request", "not valid JSON")]
    [InlineData("null", "invalid_request", "JSON object")]
    public async Task BadReplay_400NamingTheProblem(string json, string error, string named)
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/dlq/replay", json, OperateToken);

        await AssertRefusedAsync(response, error, named);
    }

    [Fact]
    public async Task BadReplay_TooManyIds_400()
    {
        var json = $$"""{"ids": [{{string.Join(',', Enumerable.Range(1, 1_001))}}], "reason": "x"}""";

        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/dlq/replay", json, OperateToken);

        await AssertRefusedAsync(response, "invalid_request", "at most 1000");
    }

    [Theory]
    [InlineData("""{"reason": "x"}""", "invalid_request", "'before'")]
    [InlineData("""{"before": "soon", "reason": "x"}""", "invalid_request", "'before'")]
    [InlineData("""{"before": "7d"}""", "reason_required", "reason")]
    [InlineData("""{"before": 7, "reason": "x"}""", "invalid_request", "not valid JSON")]
    public async Task BadPurge_400NamingTheProblem(string json, string error, string named)
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/dlq/purge", json, OperateToken);

        await AssertRefusedAsync(response, error, named);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string error, string named)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var refusal = JsonDocument.Parse(body).RootElement;
        Assert.Equal(error, refusal.GetProperty("error").GetString());
        Assert.Contains(named, refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A text message accepted <paramref name="ago"/> ago, claimed, and dead-lettered then after one attempt at
    /// <paramref name="upstream"/>, as the delivery worker does: its id.
    /// </summary>
    private async Task<long> DieAsync(
        string domain, string upstream, string reason, TimeSpan ago, int status = 503, string route = "unified", byte[]? body = null)
    {
        var at = Now - ago;
        var n = Interlocked.Increment(ref _seeded);
        body ??= WebhookBuilder.Of(Msg.Text($"25078800{n:D4}", "hello") with { Id = $"wamid.dlq.{n}" });
        var accepted = Assert.Single(await Store.AcceptAsync(
            [new InboxWebhook(at, $"corr-{n}", body, "sha256=test", [new InboxUpdate(0, $"wamid.dlq.{n}", $"person-{n}")], null)], Cancel));
        Assert.Equal(1, accepted.Accepted);
        var claimed = Assert.Single(await Store.ClaimAsync("seed", 10, at, Lease, Cancel));
        var error = $"upstream answered {status}";
        Assert.True(await Store.DeadLetterAsync(claimed.Id, "seed", new DeliveryAttempt(1, at, upstream, route, status, error, 12.5), reason, error,
            domain, route, Cancel));
        return claimed.Id;
    }

    /// <summary>A signed body that did not parse, accepted now: a dead letter at once. Its id.</summary>
    private async Task<long> UnparseableAsync(byte[] body)
    {
        Assert.Single(await Store.AcceptAsync([new InboxWebhook(Now, "corr-junk", body, "sha256=test", [], "bad json at byte 0")], Cancel));
        return (await Store.ListDeadLettersAsync(new DeadLetterQuery(Limit: 1, Reason: DeadLetterReasons.Unparseable), Cancel))[0].Id;
    }

    private async Task<List<long>> IdsAsync(string path) =>
        [.. (await GetJsonAsync(path)).GetProperty("letters").EnumerateArray().Select(static l => l.GetProperty("id").GetInt64())];

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, path, token: ReadToken);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> PostJsonAsync(string path, string json)
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, path, json, OperateToken);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
