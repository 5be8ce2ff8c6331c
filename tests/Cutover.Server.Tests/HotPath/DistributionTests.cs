using System.Net;
using Cutover.Core.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

/// <summary>The split over many real users, through the real server, read back from the decision log.</summary>
public sealed class DistributionTests : RouterTest
{
    private const int Users = 20_000;
    private const int PerPost = 100;

    protected override void Configure(Dictionary<string, string?> settings) => settings["Cutover:Privacy:UserKeys"] = "raw";

    [Fact]
    public async Task Post_TwentyThousandUsers_SplitHoldsStickyAndProtectedStayLegacy()
    {
        var users = Enumerable.Range(0, Users).Select(static i => $"2507{i * 104_729 % 100_000_000:D8}").ToArray();

        // 25%: the unified share of jobs users is 25% ± 1 point.
        await Router.SetPercentAsync(25);
        var at25 = await SendAsync(users, "I am looking for a job");
        var share = at25.Count(static d => d.Value == Route.Unified) / (double)Users;
        Assert.InRange(share, 0.24, 0.26);

        // 50%: nobody who was on unified goes back to legacy.
        await Router.SetPercentAsync(50);
        var at50 = await SendAsync(users, "any job for me?");
        Assert.DoesNotContain(at25, d => d.Value == Route.Unified && at50[d.Key] == Route.Legacy);
        Assert.InRange(at50.Count(static d => d.Value == Route.Unified) / (double)Users, 0.49, 0.51);

        // 100%: protected domains get no unified traffic at all.
        await Router.SetPercentAsync(100);
        var protectedAt100 = await SendAsync(users, "I need a taxi to town");
        Assert.All(protectedAt100.Values, static r => Assert.Equal(Route.Legacy, r));
        Assert.DoesNotContain(Upstreams.Requests, static r => r.Upstream == "unified" && r.Header("X-Webhook-Domain")!.Contains("mobility"));
    }

    private async Task<Dictionary<string, Route>> SendAsync(string[] users, string text)
    {
        var before = Router.Service<Server.DecisionLog.DecisionLogQueue>().Counters.Written;
        // The log keeps whole milliseconds: a decision made in the same millisecond as `since` reads back as earlier.
        var since = DateTimeOffset.FromUnixTimeMilliseconds(Router.Service<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds());
        await Parallel.ForEachAsync(users.Chunk(PerPost), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Cancel }, async (chunk, _) =>
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of([.. chunk.Select(u => Msg.Text(u, text))]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
        await Router.WaitForDecisionsAsync(before + users.Length);
        var decisions = (await Router.DecisionsAsync()).Where(d => d.At >= since).ToList();
        Assert.Equal(users.Length, decisions.Count);
        return decisions.ToDictionary(static d => d.UserKey!, static d => d.Route);
    }
}
