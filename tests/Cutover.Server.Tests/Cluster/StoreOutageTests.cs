using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Cutover.Server.Cluster;
using Cutover.Server.DecisionLog;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Cluster;

/// <summary>
/// The database goes away under traffic and comes back: routing goes on from memory, <c>/readyz</c> says degraded and
/// why, decision records wait in the bounded queue and overflow is dropped and counted, and when the store answers
/// again the kept batch is written and everything is ready again, without a restart.
/// </summary>
public sealed class StoreOutageTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outage_WebhooksStillRouteReadyzDegradedQueueDrops_RecoversByItself()
    {
        // arrange: a small queue so the outage fills it; polling often so the refresher notices the outage too
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        FaultyStore? faulty = null;
        await using var router = await RouterHarness.StartAsync(upstreams, static s =>
        {
            s["Cutover:DecisionLog:QueueCapacity"] = "8";
            s["Cutover:DecisionLog:BatchSize"] = "4";
            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
            s["Cutover:Store:PollInterval"] = "00:00:00.050";
        }, cancellationToken: Cancel, services: FaultyStore.Install(s => faulty = s));
        var queue = router.Service<DecisionLogQueue>();
        await PostAsync(router, "250788100000");
        await router.WaitForDecisionsAsync(1);
        Assert.Equal("ready", await ReadyTextAsync(router));

        // act: the database stops answering, and traffic goes on
        faulty!.Down = true;
        const int during = 30;
        for (var i = 1; i <= during; i++)
        {
            using var response = await PostAsync(router, $"2507881{i:D5}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // assert: every webhook reached its upstream; the writer holds at most a batch, the queue 8, the rest is dropped
        Assert.Equal(1 + during, upstreams.Requests.Count);
        await Eventually.WaitAsync(() => queue.Counters.Dropped >= during - 4 - 8, TimeSpan.FromSeconds(30), "the overflow to be dropped");
        await Eventually.WaitAsync(
            () => router.Service<StoreAvailability>().Failures.Any(static f => f.Component == StoreAvailability.RoutingRefresh),
            TimeSpan.FromSeconds(30), "the refresher to notice the outage");
        using (var readyz = await router.Http.GetAsync("readyz", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
            var body = JsonDocument.Parse(await readyz.Content.ReadAsStringAsync(Cancel)).RootElement;
            Assert.Equal("degraded", body.GetProperty("status").GetString());
            var reasons = body.GetProperty("reasons").EnumerateArray().Select(static r => r.GetString()!).ToList();
            Assert.Contains(reasons, static r => r.StartsWith("store (decision_log): failing since ", StringComparison.Ordinal)
                && r.Contains("UnreachableException", StringComparison.Ordinal));
            Assert.Contains(reasons, static r => r.StartsWith("store (routing_refresh): ", StringComparison.Ordinal));
            Assert.Contains(reasons, static r => r.StartsWith("store (ping): ", StringComparison.Ordinal));
            Assert.DoesNotContain(reasons, static r => r.Contains("Data Source", StringComparison.OrdinalIgnoreCase));
        }

        Assert.Equal(0, Available(router, StoreAvailability.DecisionLog));
        Assert.Equal(1, Available(router, StoreAvailability.Subscription));
        using (var metrics = await router.Http.GetAsync("metrics", Cancel))
        {
            Assert.Contains("cutover_store_available{", await metrics.Content.ReadAsStringAsync(Cancel));
        }

        // the admin API still shows what is in memory, and names the outage where it needs the store
        using (var status = await router.AdminAsync(HttpMethod.Get, "admin/status"))
        using (var health = await router.AdminAsync(HttpMethod.Get, "admin/health"))
        using (var summary = await router.Http.GetAsync("", Cancel))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK),
                (status.StatusCode, health.StatusCode, summary.StatusCode));
            var refusal = await health.Content.ReadAsStringAsync(Cancel);
            Assert.Contains("\"store_unavailable\"", refusal);
            Assert.DoesNotContain("Data Source", refusal);
            Assert.Contains("\"health\":\"unknown\"", await summary.Content.ReadAsStringAsync(Cancel));
        }

        Assert.Equal(0, queue.Counters.Failed);
        var dropped = queue.Counters.Dropped;

        // the database comes back: the kept batch and the queue are written, and readiness returns by itself
        faulty.Down = false;
        await Eventually.WaitAsync(() => queue.Counters is { Queued: 0 } c && c.Written + c.Dropped == 1 + during,
            TimeSpan.FromSeconds(30), "everything kept to be written");
        await Eventually.WaitAsync(async () => await ReadyTextAsync(router) == "ready", TimeSpan.FromSeconds(30), "/readyz to say ready");

        Assert.Equal((dropped, 0L), (queue.Counters.Dropped, queue.Counters.Failed));
        Assert.Equal(1 + during - dropped, (await router.DecisionsAsync()).Count);
        Assert.False(router.Service<StoreAvailability>().IsDegraded);
    }

    /// <summary>
    /// The <c>cutover.store.available</c> gauge of this router's own meter for <paramref name="component"/>. Read from the
    /// meter rather than from <c>/metrics</c>: other routers of the test run have meters of the same name in this process.
    /// </summary>
    private static int? Available(RouterHarness router, string component)
    {
        var meter = router.Service<CutoverMetrics>().Meter;
        int? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "cutover.store.available")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "component" && (string?)tag.Value == component)
                {
                    value = measurement;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private static Task<HttpResponseMessage> PostAsync(RouterHarness router, string user) =>
        router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, "looking for a job")));

    private static async Task<string> ReadyTextAsync(RouterHarness router)
    {
        using var response = await router.Http.GetAsync("readyz", Cancel);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(Cancel) : $"{(int)response.StatusCode}";
    }
}
