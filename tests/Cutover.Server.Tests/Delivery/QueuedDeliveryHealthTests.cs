using System.Net;
using System.Text.Json;
using Cutover.Server.Delivery;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Delivery;

/// <summary>
/// What the operator and the rollout see of queued delivery: the backlog and the unified route's dead letters as health
/// checks, and the queue in <c>/admin/status</c>. Real router, SQLite, real upstreams, the real clock.
/// </summary>
[Collection(QueuedServers.Name)]
public sealed class QueuedDeliveryHealthTests : RouterTest
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Delivery:Mode"] = "queued";
        settings["Cutover:Delivery:RetryBase"] = "00:00:00.010";
        settings["Cutover:Delivery:RetryCap"] = "00:00:00.020";
        settings["Cutover:Delivery:MaxAttempts"] = "2";
        settings["Cutover:Delivery:PollInterval"] = "00:00:00.020";
        settings["Cutover:Delivery:BacklogWarnAge"] = "00:00:01";
        settings["Cutover:Delivery:BacklogCriticalAge"] = "01:00:00";
        settings["Cutover:Delivery:DeadLetterCritical"] = "2";
    }

    [Fact]
    public async Task Health_UnifiedUpdatesDeadLettered_WarnThenCritical()
    {
        // arrange: everyone on unified, and nothing takes anything
        Upstreams.Respond("unified", 500);
        Upstreams.Respond("jobs", 500);
        await Router.SetPercentAsync(100);
        var monitor = Router.Service<DeliveryMonitor>();

        // act: one update given up on, then a second
        await PostAsync("250788200001");
        await WaitForDeadAsync(1);
        await monitor.RefreshAsync(Cancel);
        var afterOne = await CheckAsync(DeliveryMonitor.DeadLettersCheck);
        await PostAsync("250788200002");
        await WaitForDeadAsync(2);
        await monitor.RefreshAsync(Cancel);
        var afterTwo = await CheckAsync(DeliveryMonitor.DeadLettersCheck);

        // assert
        Assert.Equal(("warn", 1.0), (afterOne.GetProperty("state").GetString(), afterOne.GetProperty("value").GetDouble()));
        Assert.Equal(("critical", 2.0), (afterTwo.GetProperty("state").GetString(), afterTwo.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Health_UpdateWaitingPastTheWarnAge_BacklogWarns_StatusShowsTheQueue()
    {
        // arrange: the update's upstream hangs, so the update stays in flight
        Upstreams.Hang("jobs");
        var monitor = Router.Service<DeliveryMonitor>();
        await PostAsync("250788200003");
        await Eventually.WaitAsync(() => Upstreams.For("jobs").Count == 1, Wait, "the attempt to start");

        // act: once it is older than BacklogWarnAge (1 s)
        await Eventually.WaitAsync(async () =>
        {
            await monitor.RefreshAsync(Cancel);
            return (await CheckAsync(DeliveryMonitor.BacklogCheck)).GetProperty("state").GetString() == "warn";
        }, Wait, "the backlog check to warn");
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/status");
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));

        // assert
        var queue = status.RootElement.GetProperty("queue");
        Assert.Equal(1, queue.GetProperty("in_flight").GetInt64() + queue.GetProperty("pending").GetInt64());
        Assert.True(queue.GetProperty("oldest_undelivered_age_seconds").GetDouble() >= 1);
        Assert.Equal(1, queue.GetProperty("upstreams").GetProperty("jobs").GetProperty("in_flight").GetInt32());
        Assert.Equal("closed", queue.GetProperty("upstreams").GetProperty("jobs").GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task Status_DirectDelivery_NoQueue()
    {
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var direct = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel);

        using var response = await direct.AdminAsync(HttpMethod.Get, "admin/status");
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));

        Assert.False(status.RootElement.TryGetProperty("queue", out var queue) && queue.ValueKind != JsonValueKind.Null);
        Assert.DoesNotContain(DeliveryMonitor.BacklogCheck, await direct.Http.GetStringAsync("admin/health", Cancel));
    }

    private async Task PostAsync(string user)
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, "job")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task WaitForDeadAsync(long count) =>
        Eventually.WaitAsync(async () => (await Router.Service<IDeliveryStore>().QueueStatsAsync(Cancel)).Dead == count, Wait, $"{count} dead letters");

    private async Task<JsonElement> CheckAsync(string name)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/health");
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }
}
