using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Core.DecisionLog;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

public sealed class StatsCommandTests : CliTest
{
    private static readonly string[] Texts = ["a job please", "apartment for rent", "sell my phone", "need a moto ride", "hello"];

    [Fact]
    public async Task StatsJson_AgreesWithTheRawDecisionLog()
    {
        // arrange: half the users on unified, which fails for the first 40 POSTs (so they fall back), then recovers
        await Cutover("set", "50", "--reason", "stats test");
        Upstreams.HandledBy("unified", "agent-x");
        Upstreams.Respond("unified", 503);
        for (var i = 0; i < 240; i++)
        {
            if (i == 40)
            {
                Upstreams.Respond("unified", 200);
            }

            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507880{i % 120:D5}", Texts[i % Texts.Length])));
        }

        await Router.WaitForDecisionsAsync(240);

        // act
        var run = await Cutover("stats", "--window", "1h", "--json");

        // assert: counts exactly, p95 within the sketch's 1% (+ the microsecond the JSON is rounded to)
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("1h", json.GetProperty("window").GetString());
        var decisions = await Router.DecisionsAsync();
        var routes = json.GetProperty("routes").EnumerateArray().ToList();
        Assert.Equal(decisions.Select(static d => (d.Domain, d.Route)).Distinct().Count(), routes.Count);
        foreach (var group in decisions.GroupBy(static d => (d.Domain, Route: d.Route.ToString().ToLowerInvariant())))
        {
            var row = Assert.Single(routes, r => r.GetProperty("domain").GetString() == group.Key.Domain
                && r.GetProperty("routed_to").GetString() == group.Key.Route);
            Assert.Equal(group.Count(), row.GetProperty("request_count").GetInt64());
            Assert.Equal(group.Count(static d => !d.Success || d.Fallback), row.GetProperty("error_count").GetInt64());
            Assert.Equal(group.Count(static d => d.Fallback), row.GetProperty("fallback_count").GetInt64());
            var p95 = NearestRank(group, 0.95);
            Assert.InRange(row.GetProperty("p95_ms").GetDouble(), p95 * 0.99 - 0.001, p95 * 1.01 + 0.001);
            foreach (var field in (string[])["avg_response_ms", "p50_ms", "p99_ms", "error_rate_pct", "share_pct", "last_request"])
            {
                Assert.True(row.TryGetProperty(field, out _), field);
            }
        }

        var unified = json.GetProperty("totals").GetProperty("unified");
        Assert.Equal(decisions.Count(static d => d.Route == Core.Routing.Route.Unified), unified.GetProperty("request_count").GetInt64());
        Assert.True(unified.GetProperty("fallback_count").GetInt64() > 0);
        var agent = Assert.Single(json.GetProperty("handlers").EnumerateArray(), static h => h.GetProperty("handler").GetString() == "agent-x");
        Assert.Equal(decisions.Count(static d => d.Handler == "agent-x"), agent.GetProperty("invocations").GetInt64());
        Assert.Equal(decisions.Count(static d => d.Handler == "agent-x" && d.Fallback), agent.GetProperty("failures").GetInt64());
    }

    [Fact]
    public async Task Stats_Table_ShowsDomainsTotalsAndHandlers()
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please")));
        await Router.WaitForDecisionsAsync(1);

        var run = await CutoverAs(ReadToken, "stats");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Stats over 1h", run.Out);
        Assert.Contains("jobs", run.Out);
        Assert.Contains("all domains", run.Out);
        Assert.Contains("Invocations", run.Out); // the recording upstreams name themselves as handlers
    }

    [Fact]
    public async Task Stats_Domain_ShowsOnlyThatDomain()
    {
        using (await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please"))))
        using (await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000002", "apartment for rent"))))
        {
            await Router.WaitForDecisionsAsync(2);
        }

        var all = await Cutover("stats", "--json");
        var table = await Cutover("stats", "--domain", "jobs");
        var json = await Cutover("stats", "-d", "jobs", "--json");

        Assert.Equal((0, 0, 0), (all.ExitCode, table.ExitCode, json.ExitCode));
        Assert.Contains(JsonDocument.Parse(all.Out).RootElement.GetProperty("routes").EnumerateArray(), static r => r.GetProperty("domain").GetString() != "jobs");
        Assert.Contains("domain jobs", table.Out);
        Assert.Contains("│ jobs ", table.Out);
        Assert.DoesNotContain("property", table.Out);
        Assert.DoesNotContain("all domains", table.Out);
        var routes = JsonDocument.Parse(json.Out).RootElement.GetProperty("routes").EnumerateArray().ToList();
        Assert.NotEmpty(routes);
        Assert.All(routes, static r => Assert.Equal("jobs", r.GetProperty("domain").GetString()));
        Assert.Equal(1, routes.Sum(static r => r.GetProperty("request_count").GetInt64()));
    }

    [Fact]
    public async Task Stats_DomainNotConfigured_Usage64ListingTheDomains()
    {
        var run = await Cutover("stats", "--domain", "jbos");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("cutover: --domain: 'jbos' is not a configured domain; did you mean 'jobs'? the domains are ", run.Error);
        Assert.Contains("jobs", run.Error);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Stats_ConfiguredDomainWithoutTraffic_SaysSo()
    {
        using (await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please"))))
        {
            await Router.WaitForDecisionsAsync(1);
        }

        var run = await Cutover("stats", "--domain", "insurance", "--window", "15m");
        var json = await Cutover("stats", "--domain", "insurance", "--json");

        Assert.Equal((0, 0), (run.ExitCode, json.ExitCode));
        Assert.Equal("No traffic for domain insurance in the last 15m.", run.Out.Trim());
        Assert.Equal(0, JsonDocument.Parse(json.Out).RootElement.GetProperty("routes").GetArrayLength());
    }

    [Theory]
    [InlineData("3w", "unknown unit")]
    [InlineData("91d", "outside 1m to 90d")]
    [InlineData("soon", "not a window")]
    public async Task Stats_BadWindow_Exit64NamingIt(string window, string problem)
    {
        var run = await Cutover("stats", "--window", window);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--window", run.Error);
        Assert.Contains(problem, run.Error);
    }

    [Fact]
    public async Task AdminStats_BadWindow_400NamingIt()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/stats?window=forever", token: ReadToken);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("'window': 'forever' is not a window", body.GetProperty("message").GetString());
    }

    private static double NearestRank(IEnumerable<DecisionRecord> decisions, double q)
    {
        var sorted = decisions.Select(static d => d.LatencyMs).Order().ToArray();
        return sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1];
    }
}
