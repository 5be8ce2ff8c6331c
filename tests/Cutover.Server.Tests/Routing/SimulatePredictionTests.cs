using System.Net;
using System.Text.Json;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Cutover.Testing;

namespace Cutover.Server.Tests.Routing;

/// <summary>
/// The promise: <c>simulate</c> predicts exactly the users that then flip when the percent is changed. Real
/// router, real upstreams, real SQLite log; the prediction is read from <c>GET /admin/simulate</c>, the truth from the
/// decision log of the same users sent again after the change.
/// </summary>
public sealed class SimulatePredictionTests
{
    private const int Users = 3_000;
    private const int PerPost = 100;
    private static readonly string[] Texts = ["any job for me?", "I want to buy shoes", "a house to rent", "I need a taxi"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("hashed")]
    [InlineData("raw")]
    public async Task Simulate_PredictsExactlyWhoFlips_UpThenBack_PerDomainAndOverAll(string userKeys)
    {
        // arrange: 10% everywhere but property, which keeps its own 10% whatever the global one does; two pinned users
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, s => s["Cutover:Privacy:UserKeys"] = userKeys, cancellationToken: Cancel);
        var bucketing = router.Service<RouterTopology>().Bucketing;
        var users = Enumerable.Range(0, Users).Select(static i => $"2507{i * 104_729 % 100_000_000:D8}").ToArray();
        await router.SetPercentAsync(10);
        await router.SetPercentAsync(10, "property");

        // One user writing only about jobs held on legacy; one writing only about marketplace pinned to jobs by domain.
        var heldOnLegacy = Mover(users, bucketing, static i => i % 4 == 0 && i % 5 != 0);
        await PinAsync(router, heldOnLegacy, """{"route": "legacy", "reason": "QA phone stays on legacy"}""");
        await PinAsync(router, Mover(users, bucketing, static i => i % 4 == 1 && i % 5 != 0),
            """{"domain": "jobs", "reason": "QA phone in jobs; its bucket still decides"}""");
        var traffic = Traffic(users);

        // act: 10% → simulate 25% → set 25% → the same traffic again
        var at10 = await SendAsync(router, traffic);
        var up = await SimulateAsync(router, "percent=25");
        await router.SetPercentAsync(25);
        var at25 = await SendAsync(router, traffic);

        // … → simulate 10% → set 10% → again
        var down = await SimulateAsync(router, "percent=10");
        await router.SetPercentAsync(10);
        var backAt10 = await SendAsync(router, traffic);

        // assert: per domain and over all domains, the predicted counts are the users that flipped
        AssertPredicted(up, Flips(at10, at25));
        AssertPredicted(down, Flips(at25, backAt10));
        Assert.Equal(0, up.Totals.UsersToLegacy);
        Assert.Equal(0, down.Totals.UsersToUnified);
        Assert.InRange(up.Totals.UsersToUnified, 150, 450); // not trivially zero: ~15% of the ~1,800 users writing about jobs or marketplace
        Assert.Equal(up.Totals.UsersToUnified, down.Totals.UsersToLegacy);
        Assert.Equal(0, Domain(up, "property").UsersToUnified);
        Assert.Equal(0, Domain(up, "mobility").UsersToUnified);
        Assert.Equal((1L, 0L), (Domain(up, "jobs").PinnedUsers, Domain(up, "marketplace").PinnedUsers));
        Assert.Equal((10m, 25m), (Domain(up, "jobs").PercentNow, Domain(up, "jobs").PercentProposed));
    }

    [Fact]
    public async Task Simulate_Rollback_PredictsWhatTheRollbackThenMoves_IncludingADomainWithItsOwnHigherPercent()
    {
        // arrange: 25% global, jobs ahead at 50%: a rollback to 10 brings both down
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel);
        var users = Enumerable.Range(0, 2_000).Select(static i => $"2508{i * 7_919 % 100_000_000:D8}").ToArray();
        await router.SetPercentAsync(25);
        await router.SetPercentAsync(50, "jobs");
        var traffic = Traffic(users);
        var before = await SendAsync(router, traffic);

        // act
        var predicted = await SimulateAsync(router, "change=rollback&percent=10");
        using (var rollback = await router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"to": 10, "reason": "test"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        }

        var after = await SendAsync(router, traffic);

        // assert
        AssertPredicted(predicted, Flips(before, after));
        Assert.Equal((50m, 10m), (Domain(predicted, "jobs").PercentNow, Domain(predicted, "jobs").PercentProposed));
        Assert.True(Domain(predicted, "jobs").UsersToLegacy > Domain(predicted, "marketplace").UsersToLegacy);
    }

    /// <summary>
    /// Every user writes about one domain (a quarter each: jobs, marketplace, property, mobility); every fifth also
    /// shops, and every seventh's messages are followed by a status, which the conversation memory routes. A user's
    /// updates travel in one POST, in order, so the memory sees them as a conversation.
    /// </summary>
    private static List<Msg[]> Traffic(string[] users)
    {
        var perUser = users.Select((u, i) =>
        {
            var mine = new List<Msg> { Msg.Text(u, Texts[i % Texts.Length]) };
            if (i % 5 == 0)
            {
                mine.Add(Msg.Text(u, "is the order ready to buy"));
            }

            if (i % 7 == 0)
            {
                mine.Add(Msg.Status(u));
            }

            return mine;
        });
        return [.. perUser.Chunk(PerPost / 2).Select(static users => users.SelectMany(static m => m).ToArray())];
    }

    /// <summary>The <paramref name="skip"/>th user of <see cref="Traffic"/> matching <paramref name="index"/> whose bucket 10% → 25% moves.</summary>
    private static string Mover(string[] users, Bucketing bucketing, Func<int, bool> index) =>
        users.Where((u, i) => index(i) && bucketing.BucketOf(u) is >= 1_000 and < 2_500).First();

    private static async Task<List<DecisionRecord>> SendAsync(RouterHarness router, List<Msg[]> traffic)
    {
        var queue = router.Service<Server.DecisionLog.DecisionLogQueue>();
        var before = queue.Counters.Written;
        // The log keeps whole milliseconds: a decision made in the same millisecond as `since` reads back as earlier.
        var since = DateTimeOffset.FromUnixTimeMilliseconds(router.Service<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds());
        await Parallel.ForEachAsync(traffic, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Cancel }, async (post, _) =>
        {
            using var response = await router.PostWebhookAsync(WebhookBuilder.Of(post));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
        var sent = traffic.Sum(static p => p.Length);
        await router.WaitForDecisionsAsync(before + sent);
        var decisions = (await router.DecisionsAsync()).Where(d => d.At >= since).ToList();
        Assert.Equal(sent, decisions.Count);
        return decisions;
    }

    /// <summary>Who moved, per domain and over all: (user, domain) pairs whose route differs between two sends.</summary>
    private static (Dictionary<string, (int Up, int Down)> PerDomain, int Up, int Down) Flips(List<DecisionRecord> before, List<DecisionRecord> after)
    {
        static Dictionary<(string User, string Domain), Route> Routes(List<DecisionRecord> decisions)
        {
            var routes = new Dictionary<(string, string), Route>();
            foreach (var d in decisions)
            {
                var key = (d.UserKey!, d.Domain);
                Assert.True(!routes.TryGetValue(key, out var seen) || seen == d.Route, $"{key} took both routes in one send");
                routes[key] = d.Route;
            }

            return routes;
        }

        var was = Routes(before);
        var now = Routes(after);
        Assert.Equal(was.Keys.Order(), now.Keys.Order()); // the same users came back to the same domains
        var moved = now.Where(p => p.Value != was[p.Key]).Select(static p => (p.Key.User, p.Key.Domain, Up: p.Value == Route.Unified)).ToList();
        var perDomain = moved.GroupBy(static m => m.Domain)
            .ToDictionary(static g => g.Key, static g => (g.Count(static m => m.Up), g.Count(static m => !m.Up)));
        return (perDomain,
            moved.Where(static m => m.Up).Select(static m => m.User).Distinct().Count(),
            moved.Where(static m => !m.Up).Select(static m => m.User).Distinct().Count());
    }

    private static void AssertPredicted(SimulationResponse predicted, (Dictionary<string, (int Up, int Down)> PerDomain, int Up, int Down) actual)
    {
        foreach (var d in predicted.Domains)
        {
            var (up, down) = actual.PerDomain.GetValueOrDefault(d.Domain);
            Assert.Equal((d.Domain, up, down), (d.Domain, (int)d.UsersToUnified, (int)d.UsersToLegacy));
        }

        Assert.All(actual.PerDomain.Keys, domain => Assert.Contains(predicted.Domains, d => d.Domain == domain));
        Assert.Equal((actual.Up, actual.Down), ((int)predicted.Totals.UsersToUnified, (int)predicted.Totals.UsersToLegacy));
    }

    private static async Task<SimulationResponse> SimulateAsync(RouterHarness router, string query)
    {
        using var response = await router.AdminAsync(HttpMethod.Get, "admin/simulate?" + query);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize(body, ServerJson.Default.SimulationResponse)!;
    }

    private static async Task PinAsync(RouterHarness router, string user, string body)
    {
        using var response = await router.AdminAsync(HttpMethod.Put, $"admin/overrides/{user}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static SimulatedDomainView Domain(SimulationResponse s, string name) => Assert.Single(s.Domains, d => d.Domain == name);
}
