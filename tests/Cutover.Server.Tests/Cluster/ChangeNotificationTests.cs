using System.Net;
using Cutover.Core.Routing;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Cluster;

/// <summary>
/// A change made behind the server's back (as <c>update_routing_percentage()</c> in psql does) reaches the hot path as
/// soon as the store notifies, not at the next poll: the clock is fake and never moves, so no poll ever runs.
/// </summary>
public sealed class ChangeNotificationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RoutingNotification_ChangeMadeElsewhere_NextRequestSeesItWithoutAPoll()
    {
        // arrange
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        FaultyStore? store = null;
        await using var router = await RouterHarness.StartAsync(upstreams, static s => s["Cutover:DecisionLog:FlushInterval"] = "00:00:00",
            time, Cancel, FaultyStore.Install(s => store = s));
        var holder = router.Service<RoutingStateHolder>();

        // the listener is up and has done its first refresh (a change before that would be picked up by it, not by a notification)
        await Eventually.WaitAsync(() => store!.Subscriptions == 1 && store.VersionReads >= 1, TimeSpan.FromSeconds(10), "the subscription");
        var before = holder.Current.State;

        // act: 100% committed straight into the store, as SQL would, then the notification
        var next = RoutingRules.Apply(before, new RoutingChange.SetPercent(100m, null), holder.Topology,
            new ChangeContext("psql", "from SQL", time.GetUtcNow(), static k => k)).Next!;
        Assert.NotNull(await store!.Inner.TryCommitRoutingAsync(before.Version, next, [], Cancel));
        Assert.Equal(before.Version, holder.Current.State.Version); // nothing has looked yet
        store.Notify(StoreChannels.Routing);

        // assert
        await Eventually.WaitAsync(() => holder.Current.State.Version == next.Version, TimeSpan.FromSeconds(10), "the notified refresh");
        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unified", Assert.Single(upstreams.Requests).Upstream);
    }

    [Fact]
    public async Task Subscription_FailsWhileTheStoreIsDown_IsTriedAgainAndListensWhenItReturns()
    {
        // arrange: the store is down before the listener first subscribes
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        FaultyStore? store = null;
        await using var router = await RouterHarness.StartAsync(upstreams, static s => s["Cutover:DecisionLog:FlushInterval"] = "00:00:00",
            time, Cancel, FaultyStore.Install(s => store = s));
        await Eventually.WaitAsync(() => store!.Subscriptions == 1, TimeSpan.FromSeconds(10), "the first subscription");

        // act: the listener loses its subscription while the store is down (it ends, as a dropped connection ends it)
        var availability = router.Service<Server.Cluster.StoreAvailability>();
        store!.Down = true;
        store.EndSubscriptions();
        await Eventually.WaitAsync(() => Tick(time, availability.Failures.Any(static f => f.Component == "subscription")),
            TimeSpan.FromSeconds(10), "the failed resubscription to be reported");
        store.Down = false;

        // assert: listening again, no longer reported failing, and the host is still up
        await Eventually.WaitAsync(() => Tick(time, store.Subscriptions == 1 && !availability.IsDegraded), TimeSpan.FromSeconds(10),
            "the renewed subscription");
        using var healthz = await router.Http.GetAsync("healthz", Cancel);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }

    /// <summary>Moves the fake clock a second on while <paramref name="done"/> is false, so backoff delays run out.</summary>
    private static bool Tick(FakeTimeProvider time, bool done)
    {
        if (!done)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        return done;
    }
}
