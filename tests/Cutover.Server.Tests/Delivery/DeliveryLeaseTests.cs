using Cutover.Server.Delivery;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Delivery;

/// <summary>A lease that runs out while its own process is still recording the outcome (found by the crash tests of issue 16).</summary>
[Collection(QueuedServers.Name)]
public sealed class DeliveryLeaseTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LeaseRunsOutWhileTheOutcomeIsBeingRecorded_ClaimedAgainBySameProcess_NotSentASecondTime()
    {
        // arrange: the shortest lease, and a store that holds every outcome until told
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        FaultyStore? faulty = null;
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var router = await RouterHarness.StartAsync(upstreams, static s =>
        {
            s["Cutover:Delivery:Mode"] = "queued";
            s["Cutover:Delivery:Lease"] = "00:00:01";
            s["Cutover:Delivery:PollInterval"] = "00:00:00.020";
            foreach (var name in RecordingUpstreams.Names)
            {
                s[$"Cutover:Upstreams:{name}:TimeoutMs"] = "500";
            }
        }, cancellationToken: Cancel, services: FaultyStore.Install(s =>
        {
            faulty = s;
            s.CompleteHold = hold.Task;
        }));
        var worker = router.Service<DeliveryWorker>();

        // act: delivered, its outcome held past the lease; the worker's own claim hands the update back to it
        using (var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788100009", "job"))))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await upstreams.WaitForCountAsync(1, Wait);
        await Eventually.WaitAsync(() => faulty!.TimesClaimed.Values.Any(static n => n >= 2), Wait, "the update claimed again once its lease ran out");
        var calls = faulty!.ClaimCalls;

        // The loop takes the next claim only after it has dealt with every update of the one before.
        await Eventually.WaitAsync(() => faulty.ClaimCalls > calls, Wait, "the next claim");
        var inFlight = worker.InFlight;
        hold.SetResult();
        await Eventually.WaitAsync(async () => (await faulty.QueueStatsAsync(Cancel)).Delivered == 1, Wait, "the update recorded delivered");

        // assert: one delivery under way, not two, and the handler got it once
        Assert.Equal(1, inFlight);
        Assert.Single(upstreams.Requests);
        Assert.Equal(0, worker.InFlight);
    }

    [Fact]
    public async Task ClaimedAgainRightAfterItsRetryWasRecorded_StillBeingDeliveredHere_DeliveredWithoutWaitingOutTheLease()
    {
        // arrange: a one-minute lease, retries due at once, and a store that holds a delivery's end just after its retry
        // is written: the window in which the worker's own next claim hands the update back while it is still running
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        FaultyStore? faulty = null;
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var router = await RouterHarness.StartAsync(upstreams, static s =>
        {
            s["Cutover:Delivery:Mode"] = "queued";
            s["Cutover:Delivery:Lease"] = "00:01:00";
            s["Cutover:Delivery:RetryBase"] = "00:00:00.010";
            s["Cutover:Delivery:RetryCap"] = "00:00:00.010";
            s["Cutover:Delivery:PollInterval"] = "00:00:00.020";
        }, cancellationToken: Cancel, services: FaultyStore.Install(s =>
        {
            faulty = s;
            s.AfterRetryHold = hold.Task;
        }));
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams.Respond(name, 503);
        }

        // act: the first attempt fails and its retry is recorded; the update falls due and is claimed again meanwhile
        using (var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788100010", "job"))))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await faulty!.RetryRecorded.Task.WaitAsync(Wait, Cancel);
        await Eventually.WaitAsync(() => faulty.TimesClaimed.Values.Any(static n => n >= 2), Wait, "the update claimed again after its retry was recorded");
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams.Respond(name, 200);
        }

        faulty.AfterRetryHold = null;
        hold.SetResult();

        // assert: delivered long before the one-minute lease of that claim could have run out
        await Eventually.WaitAsync(
            async () => (await faulty.QueueStatsAsync(Cancel)).Delivered == 1, TimeSpan.FromSeconds(15), "the update delivered without waiting out its lease");
    }
}
