using System.Net;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Telemetry;

/// <summary><c>GET /metrics</c> of a real router with real traffic, read with a strict Prometheus text parser.</summary>
[Collection(ProcessWideTelemetry.Name)]
public sealed class MetricsTests : RouterTest
{
    private static readonly string[] Routes = [RouteNames.Unified, RouteNames.Legacy];

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Privacy:UserKeys"] = "raw";
        settings["Cutover:Upstreams:unified:TimeoutMs"] = "2000";
    }

    [Fact]
    public async Task FirstScrape_BeforeAnyTraffic_EveryDomainRouteAndOutcomeIsThereAtZero()
    {
        var scrape = await ScrapeAsync();

        var domains = Router.Service<RouterTopology>().Domains.Keys.ToList();
        Assert.Contains("jobs", domains);
        foreach (var domain in domains)
        {
            foreach (var route in Routes)
            {
                foreach (var outcome in UpdateOutcomes.All)
                {
                    Assert.Equal(0, scrape.Value("cutover_webhook_updates_total", ("domain", domain), ("route", route), ("outcome", outcome)));
                }
            }
        }

        Assert.Equal(domains.Count * Routes.Length * UpdateOutcomes.All.Count, scrape.Where("cutover_webhook_updates_total").Count());
        Assert.Equal("counter", scrape.Types["cutover_webhook_updates_total"]);

        // the per-request counter too, with direct delivery's outcomes and the refusals, none of queued delivery's
        string[] outcomes = ["delivered", "no_upstream", "payload_too_large", "invalid_signature", "malformed_payload", "body_unreadable", "client_aborted", "crashed"];
        foreach (var outcome in outcomes)
        {
            Assert.Equal(0, scrape.Value("cutover_webhook_requests_total", ("outcome", outcome)));
        }

        Assert.Equal(outcomes.Length, scrape.Where("cutover_webhook_requests_total").Count());
    }

    [Fact]
    public async Task UpdatesCounter_AfterTrafficWithFallbacksAndErrors_AgreesWithTheDecisionLogPerOutcome()
    {
        // arrange: half the users on unified, which fails a third of its requests (fallback); legacy marketplace always fails
        Upstreams.FailShare("unified", 1.0 / 3, 503);
        Upstreams.Respond("marketplace", 500);
        await Router.SetPercentAsync(50);

        // act: single and multi-update webhooks over several domains
        var posted = 0;
        for (var i = 0; i < 30; i++)
        {
            var user = $"25078820{i:D4}";
            var text = (i % 3) switch { 0 => "I need a job", 1 => "apartment for rent", _ => "sell my car on the marketplace" };
            var body = i % 5 == 0
                ? WebhookBuilder.Of(Msg.Text(user, text), Msg.Status(user), Msg.Text($"25078821{i:D4}", "job"))
                : WebhookBuilder.Of(Msg.Text(user, text));
            posted += i % 5 == 0 ? 3 : 1;
            using var response = await Router.PostWebhookAsync(body);
        }

        await Router.WaitForDecisionsAsync(posted);
        var decisions = await Router.DecisionsAsync();
        var scrape = await ScrapeAsync();

        // assert: one count per decision stored, in total and for each (domain, route, outcome)
        Assert.Equal(posted, decisions.Count);
        Assert.Equal(decisions.Count, scrape.Sum("cutover_webhook_updates_total"));
        var byLabels = decisions.GroupBy(static d => (d.Domain, Route: d.Route.ToName(), Outcome: UpdateOutcomes.Of(d.Success, d.Fallback)));
        foreach (var group in byLabels)
        {
            Assert.Equal(group.Count(), scrape.Value("cutover_webhook_updates_total",
                ("domain", group.Key.Domain), ("route", group.Key.Route), ("outcome", group.Key.Outcome)));
        }

        // every outcome happened, so the agreement above covered each of them
        Assert.True(scrape.Sum("cutover_webhook_updates_total", ("outcome", UpdateOutcomes.Fallback)) > 0);
        Assert.True(scrape.Sum("cutover_webhook_updates_total", ("outcome", UpdateOutcomes.Error)) > 0);
        Assert.True(scrape.Sum("cutover_webhook_updates_total", ("outcome", UpdateOutcomes.Ok)) > 0);
    }

    [Fact]
    public async Task Gauges_RoutingRolloutAndBuild_ReadFromMemory()
    {
        await Router.SetPercentAsync(10);
        await Router.SetPercentAsync(25, "jobs");

        var scrape = await ScrapeAsync();

        Assert.Equal(1, scrape.Value("cutover_routing_enabled"));
        Assert.Equal(25, scrape.Value("cutover_routing_percent", ("domain", "jobs")));
        Assert.Equal(10, scrape.Value("cutover_routing_percent", ("domain", "property")));
        Assert.Equal(0, scrape.Value("cutover_routing_percent", ("domain", "mobility"))); // protected: never routed
        Assert.Equal(1, scrape.Value("cutover_rollout_state", ("state", "idle")));
        Assert.Equal(0, scrape.Value("cutover_rollout_state", ("state", "soaking")));
        Assert.Equal(6, scrape.Where("cutover_rollout_state").Count());
        Assert.Equal(0, scrape.Value("cutover_rollout_step"));
        Assert.Equal(6, scrape.Value("cutover_rollout_steps"));
        var build = Assert.Single(scrape.Where("cutover_build_info"));
        Assert.Equal(1, build.Value);
        Assert.Equal(Router.Service<CutoverMetrics>().Version, build.Label("version"));
        Assert.Matches("^(unknown|[0-9a-f]{7,40})$", build.Label("commit"));
    }

    [Fact]
    public async Task Resource_ServiceNameVersionAndInstance_InTargetInfo()
    {
        var scrape = await ScrapeAsync();

        var target = Assert.Single(scrape.Where("target_info"));
        Assert.Equal("cutover", target.Label("service_name"));
        Assert.Equal(Router.Service<CutoverMetrics>().Version, target.Label("service_version"));
        Assert.Equal(Router.Service<Cutover.Server.Cluster.InstanceIdentity>().Id, target.Label("service_instance_id"));
    }

    [Fact]
    public async Task RuntimeAndProcessMetrics_Exported()
    {
        var scrape = await ScrapeAsync();

        Assert.Contains(scrape.Names, static n => n.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(scrape.Names, static n => n.StartsWith("process_cpu_", StringComparison.Ordinal));
        Assert.Contains(scrape.Names, static n => n.StartsWith("process_memory_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HealthState.Ok, 0)]
    [InlineData(HealthState.Warn, 1)]
    [InlineData(HealthState.Critical, 2)]
    [InlineData(HealthState.InsufficientData, -1)]
    public void ValueOf_HealthState_AsDocumented(HealthState state, int expected) =>
        Assert.Equal(expected, StateGauges.ValueOf(state));

    private async Task<PrometheusScrape> ScrapeAsync()
    {
        using var response = await Router.Http.GetAsync("metrics", Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync(Cancel));
    }
}
