using Cutover.Core.Routing;
using Cutover.Testing;

namespace Cutover.Store.Tests.Postgres;

/// <summary>
/// The server goes away and comes back. On a cluster of its own, since stopping the shared one would fail every
/// other test running beside it.
/// </summary>
public sealed class PostgresRestartTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerStoppedAndStarted_SubscriptionGoesDownThenResyncsAndDelivers_StoreWorksAgainWithItsData()
    {
        // arrange
        if (PostgresCluster.Unavailable() is { } problem)
        {
            Assert.Skip($"PostgreSQL tests skipped: {problem}");
        }

        await using var cluster = await PostgresCluster.StartNewAsync(Cancel);
        var connectionString = await cluster.CreateDatabaseAsync(Cancel);
        await using var store = StoreFactory.Open(StoreFactory.Postgres, connectionString, TimeProvider.System);
        await store.MigrateAsync(Cancel);
        await store.LoadRoutingStateAsync(RoutingState.Initial(["jobs"], Start), Cancel);
        await using var subscription = await store.SubscribeAsync(Cancel);
        var received = new List<string>();

        // act: the database goes away
        await cluster.StopAsync(Cancel);

        // assert: the store says so, the subscription knows it is not live
        await Eventually.WaitAsync(() => !subscription.IsLive, Timeout, "the subscription to notice the server is gone");
        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync(Cancel));

        // act: it comes back on the same port with the same data
        await cluster.StartAsync(Cancel);

        // assert
        await PostgresStoreTests.ReadUntilAsync(subscription, received, StoreChannels.Resync);
        Assert.True(subscription.IsLive);
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                await store.PingAsync(Cancel);
                return true;
            }
            catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException)
            {
                return false; // a pooled connection from before the restart may fail; Npgsql drops them on the shutdown notice
            }
        }, Timeout, "the store to answer again");
        Assert.Equal(1, await store.RoutingVersionAsync(Cancel));
        Assert.False(await PostgresStoreTests.ScalarAsync<bool>(connectionString, "SELECT enabled FROM set_routing_enabled(false, 'after the restart')"));
        await PostgresStoreTests.ReadUntilAsync(subscription, received, StoreChannels.Routing);
    }
}
