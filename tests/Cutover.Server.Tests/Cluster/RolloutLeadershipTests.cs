using Cutover.Server.Cluster;
using Cutover.Server.Rollout;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Cluster;

public sealed class RolloutLeadershipTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cutover-lease-");
    private FaultyStore _store = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new FaultyStore(StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory.FullName, "c.db")}", _time));
        await _store.MigrateAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task EnsureAsync_LeaseCheckFails_StepsDownAndTheOtherInstanceWinsIt()
    {
        // arrange
        await using var first = Leadership("first");
        await using var second = Leadership("second");
        Assert.Equal((true, false), (await first.EnsureAsync(Cancel), await second.EnsureAsync(Cancel)));

        // act: the leader cannot tell whether it still holds the lease (its connection is in trouble)
        _store.Down = true;
        var stillLeads = await first.EnsureAsync(Cancel);
        _store.Down = false;

        // assert: unsure means not leading; the lease was given up, so the other wins it at its next look, and the
        // first does not take it back at its own
        Assert.False(stillLeads);
        Assert.Null(first.LeaderSince);
        Assert.True(await second.EnsureAsync(Cancel));
        Assert.Equal(_time.GetUtcNow(), second.LeaderSince);
        Assert.False(await first.EnsureAsync(Cancel));
    }

    [Fact]
    public async Task DisposeAsync_Leader_GivesTheLeaseUpAtOnce()
    {
        var first = Leadership("first");
        await using var second = Leadership("second");
        Assert.True(await first.EnsureAsync(Cancel));

        await first.DisposeAsync();

        Assert.False(first.IsLeader);
        Assert.True(await second.EnsureAsync(Cancel));
    }

    private RolloutLeadership Leadership(string id) =>
        new(_store, new InstanceIdentity(id), _time, NullLogger<RolloutLeadership>.Instance);
}
