using System.Net;
using System.Text;
using Cutover.Core.Delivery;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Delivery;

/// <summary>SQLite: the file beside the test's router (the harness's default store).</summary>
[Collection(QueuedServers.Name)]
public sealed class QueuedDeliverySqliteTests : QueuedDeliveryTests
{
    protected override Task<Action<Dictionary<string, string?>>> StoreAsync() => Task.FromResult<Action<Dictionary<string, string?>>>(static _ => { });
}

/// <summary>PostgreSQL: a new database on the test cluster for each test.</summary>
[Collection(QueuedServers.Name)]
public sealed class QueuedDeliveryPostgresTests(PostgresClusterFixture postgres) : QueuedDeliveryTests, IClassFixture<PostgresClusterFixture>
{
    protected override async Task<Action<Dictionary<string, string?>>> StoreAsync()
    {
        var database = await postgres.Cluster.CreateDatabaseAsync(Cancel);
        return s =>
        {
            s["Cutover:Store:Provider"] = "postgres";
            s["Cutover:Store:ConnectionString"] = database;
            s["Cutover:Privacy:HashKey"] = "queued-test-hash-key-0123456789";
            s["Cutover:Store:PollInterval"] = "00:00:00.100";
        };
    }
}

/// <summary>
/// Queued delivery through a real router, store and Kestrel upstreams: acknowledged at once, delivered by the workers
/// with retries, fallback, deduplication, per-person order and dead letters. Each test runs on SQLite and PostgreSQL.
/// </summary>
public abstract class QueuedDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected RecordingUpstreams Upstreams { get; private set; } = null!;

    protected RouterHarness Router { get; private set; } = null!;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var store = await StoreAsync();
        Upstreams = await RecordingUpstreams.StartAsync(Cancel);
        Router = await RouterHarness.StartAsync(Upstreams, s =>
        {
            Configure(s);
            store(s);
        }, cancellationToken: Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
    }

    /// <summary>The store's settings (provider, connection string), made ready for one test.</summary>
    protected abstract Task<Action<Dictionary<string, string?>>> StoreAsync();

    private static void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Privacy:UserKeys"] = "raw";
        settings["Cutover:Delivery:Mode"] = "queued";
        settings["Cutover:Delivery:RetryBase"] = "00:00:00.010";
        settings["Cutover:Delivery:RetryCap"] = "00:00:00.050";
        settings["Cutover:Delivery:MaxAttempts"] = "4";
        settings["Cutover:Delivery:PollInterval"] = "00:00:00.020";
        settings["Cutover:Delivery:BreakAfterFailures"] = "1000";
        settings["Cutover:Upstreams:unified:TimeoutMs"] = "2000";
    }

    private IDeliveryStore Store => Router.Service<IDeliveryStore>();

    private static Msg Text(string user, string body, string id) => new(user, "text", body, Id: id);

    [Fact]
    public async Task Post_Acknowledged_ThenDeliveredOnceWithTheSameBytesAndHeaders()
    {
        // arrange
        var body = WebhookBuilder.Of(Text("250788100001", "job offer", "wamid.Q1"));
        var signature = RouterHarness.Signer.Sign(body);

        // act
        using var response = await Router.PostWebhookAsync(body, signature: signature);
        await Upstreams.WaitForCountAsync(1, Wait);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var delivered = Assert.Single(Upstreams.For("jobs"));
        Assert.Equal(body, delivered.Body);
        Assert.Equal(signature, delivered.Header(WebhookSignature.HeaderName));
        Assert.Equal("wamid.Q1", delivered.Header("X-Idempotency-Key"));
        Assert.Equal("1", delivered.Header("X-Cutover-Attempt"));
        Assert.Equal(response.Headers.GetValues("X-Correlation-ID").Single(), delivered.Header("X-Correlation-ID"));
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == 1, Wait, "the update marked delivered");
    }

    [Fact]
    public async Task Post_SameUpdateThreeTimes_DeliveredOnce()
    {
        var body = WebhookBuilder.Of(Text("250788100002", "job", "wamid.Q2"));

        for (var i = 0; i < 3; i++)
        {
            using var response = await Router.PostWebhookAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == 1, Wait, "the update delivered");
        Assert.Single(Upstreams.For("jobs"));
        var stats = await Store.QueueStatsAsync(Cancel);
        Assert.Equal((0, 0), (stats.Pending, stats.InFlight));
    }

    [Fact]
    public async Task Post_UnifiedDown_FallsBackToLegacyAtOnce()
    {
        Upstreams.Respond("unified", 503);
        await Router.SetPercentAsync(100);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788100003", "job")));
        await Eventually.WaitAsync(() => Upstreams.For("jobs").Count == 1, Wait, "legacy to take it");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Upstreams.For("unified"));
        Assert.Equal("legacy", Upstreams.For("jobs")[0].Header("X-Cutover-Route"));
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.Equal((Route.Unified, "jobs", true, true), (decision.Route, decision.Upstream, decision.Fallback, decision.Success));
    }

    [Fact]
    public async Task Post_EveryUpstreamDownThenBack_RetriedUntilDelivered()
    {
        // arrange: both down for the first attempts, then back within the budget of 4 attempts
        Upstreams.Respond("unified", 500);
        Upstreams.Respond("jobs", 500);
        await Router.SetPercentAsync(100);

        // act
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788100004", "job")));
        await Eventually.WaitAsync(() => Upstreams.For("jobs").Count >= 2, Wait, "two failed attempts");
        Upstreams.Respond("jobs", 200);
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == 1, Wait, "the update delivered");

        // assert: each attempt numbered, the last one taken
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var attempts = Upstreams.For("jobs").Select(r => (int.Parse(r.Header("X-Cutover-Attempt")!, System.Globalization.CultureInfo.InvariantCulture), r.Status)).ToList();
        Assert.Equal(Enumerable.Range(1, attempts.Count), attempts.Select(a => a.Item1));
        Assert.Equal(200, attempts[^1].Status);
        Assert.All(attempts.SkipLast(1), a => Assert.Equal(500, a.Status));
        Assert.Equal(0, (await Store.QueueStatsAsync(Cancel)).Dead);
    }

    [Fact]
    public async Task Post_EveryUpstreamDownPastTheBudget_DeadLetteredWithEveryAttempt_ReplayDeliversOnce()
    {
        // arrange
        Upstreams.Respond("unified", 500);
        Upstreams.Respond("jobs", 502);
        await Router.SetPercentAsync(100);

        // act
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Text("250788100005", "job", "wamid.Q5")));
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Dead == 1, Wait, "a dead letter");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));
        Assert.Equal((DeadLetterReasons.AttemptsExhausted, 4, "jobs", "jobs", "unified"), (letter.Reason, letter.Attempts, letter.LastUpstream, letter.Domain, letter.Route));
        var detail = await Store.GetDeadLetterAsync(letter.Id, Cancel);
        Assert.Equal([1, 2, 3, 4], detail!.History.Select(a => a.Number));
        Assert.All(detail.History, a => Assert.Equal((502, "legacy"), (a.StatusCode, a.Route)));
        Assert.Contains("unified failed with 500", detail.History[0].Error);

        // and replayed once they are back, it is delivered exactly once more
        Upstreams.Respond("unified", 200);
        Upstreams.Respond("jobs", 200);
        var before = Upstreams.Requests.Count;
        using var replay = await Router.AdminAsync(HttpMethod.Post, "admin/dlq/replay", """{"all": true, "reason": "handlers are back"}""");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == 1, Wait, "the replay delivered");
        var replayed = Assert.Single(Upstreams.Requests.Skip(before));
        Assert.Equal(("unified", "wamid.Q5", "1"), (replayed.Upstream, replayed.Header("X-Idempotency-Key"), replayed.Header("X-Cutover-Attempt")));

        // and the audit trail has the replay, with its reason
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history?kind=dlq_replay");
        var audit = await history.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("handlers are back", audit);
    }

    [Fact]
    public async Task Post_LegacyRejects_DeadLetteredAtOnceAsRejected()
    {
        Upstreams.Respond("jobs", 422);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788100006", "job")));
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Dead == 1, Wait, "a dead letter");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));
        Assert.Equal((DeadLetterReasons.Rejected, 1), (letter.Reason, letter.Attempts));
        Assert.Single(Upstreams.For("jobs"));
    }

    [Fact]
    public async Task Post_SignedButNotJson_AcknowledgedAndDeadLetteredWithTheParseError()
    {
        var body = Encoding.UTF8.GetBytes("this is not JSON {");

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));
        Assert.Equal(DeadLetterReasons.Unparseable, letter.Reason);
        Assert.False(string.IsNullOrEmpty(letter.Error));
        Assert.Equal(body, (await Store.GetDeadLetterAsync(letter.Id, Cancel))!.Body);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_UnsignedOrBadlySigned_RefusedAndNothingStored()
    {
        var body = WebhookBuilder.Of(Msg.Text("250788100007", "job"));

        using var unsigned = await Router.PostWebhookAsync(body, sign: false);
        using var forged = await Router.PostWebhookAsync(body, signature: "sha256=" + new string('0', 64));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unsigned.StatusCode, forged.StatusCode));
        var stats = await Store.QueueStatsAsync(Cancel);
        Assert.Equal((0, 0, 0), (stats.Pending + stats.InFlight, stats.Delivered, stats.Dead));
    }

    [Fact]
    public async Task Post_TwoUpdates_EachDeliveredAloneAndSignedAgain()
    {
        // arrange: two users' messages in one POST, one for jobs and one for property
        var body = WebhookBuilder.Of(Text("250788100008", "job", "wamid.Q8a"), Text("250788100009", "apartment for rent", "wamid.Q8b"));

        // act
        using var response = await Router.PostWebhookAsync(body);
        await Upstreams.WaitForCountAsync(2, Wait);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jobs = Assert.Single(Upstreams.For("jobs"));
        var property = Assert.Single(Upstreams.For("property"));
        Assert.Equal(("wamid.Q8a", "wamid.Q8b"), (jobs.Header("X-Idempotency-Key"), property.Header("X-Idempotency-Key")));
        foreach (var part in new[] { jobs, property })
        {
            Assert.True(RouterHarness.Signer.Verify(part.Body, part.Header(WebhookSignature.HeaderName)!));
            var parsed = new ParsedWebhook();
            Assert.True(WebhookParser.TryParse(part.Body, parsed, out _));
            Assert.Equal(1, parsed.Count);
        }
    }

    [Fact]
    public async Task Post_OnePersonsMessagesWhileDeliveriesFail_ArriveInAcceptanceOrder()
    {
        // arrange: legacy fails every other request, so most messages need a retry
        Upstreams.FailShare("jobs", 0.5, 503);
        var ids = Enumerable.Range(0, 12).Select(i => $"wamid.ORDER{i:D2}").ToList();

        // act: each message its own POST, as Meta sends them, acknowledged before the next
        foreach (var id in ids)
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Text("250788100010", "job", id)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == ids.Count, Wait, "every message delivered");

        // assert: taken in the order sent, and none sent before the one before it was taken
        var requests = Upstreams.For("jobs").OrderBy(r => r.Sequence).ToList();
        Assert.Equal(ids, requests.Where(r => r.Status == 200).Select(r => r.Header("X-Idempotency-Key")));
        var taken = 0;
        foreach (var request in requests)
        {
            Assert.Equal(ids[taken], request.Header("X-Idempotency-Key"));
            if (request.Status == 200)
            {
                taken++;
            }
        }

        Assert.True(requests.Count > ids.Count, "some messages should have needed a retry");
    }

    [Fact]
    public async Task Post_RouteChangesMidConversation_NeverAtBothUpstreamsAtOnce()
    {
        // arrange: legacy fails a third of its requests, so messages queue up behind retries when the percent moves
        Upstreams.FailShare("jobs", 0.34, 503);
        var ids = Enumerable.Range(0, 12).Select(i => $"wamid.MOVE{i:D2}").ToList();

        // act: half sent at 0%, then everyone to unified, then the rest
        foreach (var id in ids.Take(6))
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Text("250788100011", "job", id)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // the switch comes once legacy has taken at least one of them, so the conversation is under way on legacy
        await Eventually.WaitAsync(() => Upstreams.For("jobs").Any(r => r.Status == 200), Wait, "legacy to take a first message");
        await Router.SetPercentAsync(100);
        foreach (var id in ids.Skip(6))
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Text("250788100011", "job", id)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == ids.Count, Wait, "every message delivered");

        // assert: one request at a time in acceptance order, whichever upstream; once unified has one, legacy gets no more
        var requests = Upstreams.Requests.Where(r => r.Upstream is "jobs" or "unified").OrderBy(r => r.Sequence).ToList();
        var taken = 0;
        foreach (var request in requests)
        {
            Assert.Equal(ids[taken], request.Header("X-Idempotency-Key"));
            taken += request.Status == 200 ? 1 : 0;
        }

        var firstUnified = requests.FindIndex(r => r.Upstream == "unified");
        Assert.True(firstUnified > 0, "the later messages should reach unified");
        Assert.All(requests.Skip(firstUnified), r => Assert.Equal("unified", r.Upstream));
    }
}
