using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cutover.Server.Delivery;
using Cutover.Server.Health;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Delivery;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Telemetry;

/// <summary>
/// <c>examples/grafana/cutover-dashboard.json</c> against a real router (queued delivery, probes, a rollout controller)
/// after real traffic: every metric a panel queries is on <c>/metrics</c>, so no panel is empty for a misspelt name.
/// </summary>
[Collection(QueuedServers.Name)]
public sealed class DashboardTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dashboard_EveryMetricItsQueriesUse_IsScraped()
    {
        // arrange: queued delivery, probes on two upstreams, a look every second, unified failing now and then (fallbacks)
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, s =>
        {
            s["Cutover:Delivery:Mode"] = "queued";
            s["Cutover:Delivery:PollInterval"] = "00:00:00.020";
            s["Cutover:Rollout:EvaluationInterval"] = "00:00:01";
            s["Cutover:Upstreams:unified:HealthUrl"] = upstreams.HealthUrlOf("unified");
            s["Cutover:Upstreams:jobs:HealthUrl"] = upstreams.HealthUrlOf("jobs");
            s["Cutover:Health:ProbeFailures"] = "1";
        }, cancellationToken: Cancel);
        upstreams.FailShare("unified", 0.5, 503);
        upstreams.ProbeResponds("jobs", 503);
        await router.SetPercentAsync(100);

        // act: traffic, then every reading the gauges come from
        for (var i = 0; i < 10; i++)
        {
            using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"25078840{i:D4}", "I need a job")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await router.WaitForDecisionsAsync(10);
        await router.Service<ProbeService>().ProbeAllAsync(Cancel);
        var health = router.Service<IHealthStore>();
        await Eventually.WaitAsync(async () => (await health.LatestHealthAsync(Cancel))?.Report.Checks.Any(static c => c.Name == "probe.jobs"
            && c.State == Core.Health.HealthState.Warn) == true, Wait, "a stored verdict that saw legacy jobs' probe fail");
        await router.Service<DeliveryMonitor>().RefreshAsync(Cancel);
        await router.Service<StateGauges>().RefreshAsync(Cancel);
        using var scraped = await router.Http.GetAsync("metrics", Cancel);
        var scrape = PrometheusText.Parse(await scraped.Content.ReadAsStringAsync(Cancel));

        // assert
        var used = MetricNamesOf(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Telemetry", "cutover-dashboard.json"), Cancel));
        Assert.True(used.Count >= 20, $"only {used.Count} metric names found in the dashboard's queries");
        Assert.Empty(used.Where(n => !scrape.Names.Contains(n)).Order(StringComparer.Ordinal));

        // and the values the health panels map are the documented encoding
        Assert.Equal(0, scrape.Value("cutover_probe_up", ("upstream", "jobs")));
        Assert.Equal(1, scrape.Value("cutover_probe_up", ("upstream", "unified")));
        Assert.Equal(1, scrape.Value("cutover_health_check_state", ("check", "probe.jobs"))); // warn
        Assert.Equal(0, scrape.Value("cutover_health_check_state", ("check", "probe.unified"))); // ok

        // the full looks that stored those verdicts were timed
        Assert.True(scrape.Value("cutover_rollout_look_duration_seconds_count", ("look", "full")) >= 1, "no full look timed");
        Assert.True(scrape.Value("cutover_rollout_look_duration_seconds_sum", ("look", "full")) > 0, "a full look timed at 0 s");

        // queued delivery's request outcomes: those that happened counted, the others there at 0 (an alert has its series)
        Assert.Equal(10, scrape.Value("cutover_webhook_requests_total", ("outcome", "queued")));
        foreach (var outcome in (string[])["duplicate", "dead_lettered", "not_queued", "invalid_signature"])
        {
            Assert.Equal(0, scrape.Value("cutover_webhook_requests_total", ("outcome", outcome)));
        }
    }

    [Fact]
    public void MetricNamesOf_Queries_FindsEveryMetricAndNoFunctionOrLabel()
    {
        const string json = """
            {"panels": [
              {"type": "row", "panels": [{"targets": [{"expr": "max(cutover_rollout_step)"}]}]},
              {"targets": [{"expr": "histogram_quantile(0.95, sum by (le, upstream) (rate(cutover_forward_duration_seconds_bucket[5m])))"},
                           {"expr": "rate(process_cpu_time_seconds_total{instance=~\"$i\"}[5m]) + dotnet_gc_pause_time_seconds_total"}]}
            ]}
            """;

        Assert.Equal(
            ["cutover_forward_duration_seconds_bucket", "cutover_rollout_step", "dotnet_gc_pause_time_seconds_total", "process_cpu_time_seconds_total"],
            MetricNamesOf(json).Order(StringComparer.Ordinal));
    }

    /// <summary>The metric names in every <c>expr</c> of every panel (rows' panels included): identifiers that start with <c>cutover_</c>, <c>process_</c> or <c>dotnet_</c>.</summary>
    private static HashSet<string> MetricNamesOf(string dashboard)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(dashboard);
        foreach (var expr in Exprs(document.RootElement))
        {
            foreach (Match m in Regex.Matches(expr, @"(?<![A-Za-z0-9_:])(?:cutover|process|dotnet)_[A-Za-z0-9_:]*"))
            {
                names.Add(m.Value);
            }
        }

        return names;
    }

    private static IEnumerable<string> Exprs(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                {
                    yield return property.Value.GetString()!;
                }
                else
                {
                    foreach (var inner in Exprs(property.Value))
                    {
                        yield return inner;
                    }
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var inner in Exprs(item))
                {
                    yield return inner;
                }
            }
        }
    }
}
