using System.Diagnostics.Metrics;
using Cutover.Core.Classification;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Cluster;

/// <summary>
/// Two routers on one SQLite file with <c>Memory:Share = on</c>: a conversation begun on one continues on the other once
/// both have synced, and both put every user in the same bucket. The clock is fake and never moves, so the sync runs
/// only when the test calls it.
/// </summary>
public sealed class SharedMemoryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 10, TimeSpan.Zero));
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _first = null!;
    private RouterHarness _second = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _first = await RouterHarness.StartAsync(_upstreams, Shared(null), _time, Cancel);
        _second = await RouterHarness.StartAsync(_upstreams, Shared($"Data Source={_first.DatabasePath}"), _time, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task PropertyOnOneInstance_YesOnTheOther_GoesToPropertyAfterASync()
    {
        // arrange: two users start a property conversation on the first instance
        await PostAsync(_first, "250788000001", "apartment for rent");
        await PostAsync(_first, "250788000002", "apartment for rent");

        // act: the first user's "yes" reaches the second instance before any sync, the second user's after one each
        await PostAsync(_second, "250788000001", "yes");
        await _first.Service<ConversationSync>().SyncOnceAsync(Cancel);
        await _second.Service<ConversationSync>().SyncOnceAsync(Cancel);
        await PostAsync(_second, "250788000002", "yes");

        // assert: before the sync the second instance could not know; after it, the conversation continues
        Assert.Equal(["property", "property", "default", "property"], _upstreams.Requests.Select(static r => r.Upstream));
        Assert.True(_second.Service<ConversationSync>().Watermark > 0);
    }

    [Fact]
    public async Task NewerSightingOnTheOtherInstance_ReplacesWhatThisOneRemembers()
    {
        // arrange: the user was in jobs on the second instance, then moved to property on the first
        await PostAsync(_second, "250788000003", "a job please");
        await _second.Service<ConversationSync>().SyncOnceAsync(Cancel);
        _time.Advance(TimeSpan.FromSeconds(5));
        await PostAsync(_first, "250788000003", "apartment for rent");

        // act
        await _first.Service<ConversationSync>().SyncOnceAsync(Cancel);
        await _second.Service<ConversationSync>().SyncOnceAsync(Cancel);
        await PostAsync(_second, "250788000003", "yes");

        // assert: the newer domain wins on the instance that had seen the user itself
        Assert.Equal("property", _upstreams.Requests.Last().Upstream);
    }

    [Fact]
    public async Task SameUsersOnBothInstances_SameBucketAndRouteEverywhere()
    {
        // arrange: 50% set on the first; the second reads it (no poll on a fake clock)
        await _first.SetPercentAsync(50);
        await _second.Service<RoutingService>().RefreshAsync(Cancel);
        Assert.Equal(50m, _second.Service<RoutingStateHolder>().Current.State.Percent);
        Assert.Equal(_first.Service<RouterTopology>().Bucketing.Salt, _second.Service<RouterTopology>().Bucketing.Salt);

        // act: the same 40 users write to both instances
        for (var i = 0; i < 40; i++)
        {
            await PostAsync(_first, $"2507881{i:D5}", "a job please");
            await PostAsync(_second, $"2507881{i:D5}", "a job please");
        }

        await _first.WaitForDecisionsAsync(40);
        await _second.WaitForDecisionsAsync(40);

        // assert: one hashed key per user on both (the hashing key comes from the store), one route per user, both routes used
        var byUser = (await _first.DecisionsAsync()).Where(static d => d.Domain == "jobs").GroupBy(static d => d.UserKey).ToList();
        Assert.Equal(40, byUser.Count);
        Assert.All(byUser, static g => Assert.Equal(2, g.Count()));
        Assert.All(byUser, static g => Assert.Single(g.Select(static d => (d.Route, d.Bucket)).Distinct()));
        Assert.Equal(2, byUser.Select(static g => g.First().Route).Distinct().Count());
    }

    [Fact]
    public void Remember_QueueFull_DropsAndCountsNeverBlocksAndStillRemembersLocally()
    {
        // arrange
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new CutoverOptions { Memory = new MemoryOptions { ShareQueueCapacity = 4 } });
        var protection = new UserKeyProtection();
        protection.Initialize(UserKeyHasher.Raw);
        var local = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        var memory = new SharedConversationMemory(local, protection, options, new CutoverMetrics(services.GetRequiredService<IMeterFactory>()));
        var now = DateTimeOffset.UnixEpoch;

        // act
        for (var i = 0; i < 10; i++)
        {
            memory.Remember($"user-{i}", "jobs", now);
        }

        // assert
        Assert.Equal((4, 4, 6L), (memory.QueueCapacity, memory.Queued, memory.Dropped));
        Assert.All(Enumerable.Range(0, 10), i => Assert.True(memory.TryRecall($"user-{i}", now, out var d) && d == "jobs"));
    }

    [Fact]
    public void TryRecall_LocalMiss_LooksUpOtherInstancesEntryByProtectedKeyAndKeepsItLocally()
    {
        // arrange: an entry another instance wrote, known here only by its protected key
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var protection = new UserKeyProtection();
        protection.Initialize(UserKeyHasher.Keyed(new byte[32]));
        var local = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        var memory = new SharedConversationMemory(local, protection, Options.Create(new CutoverOptions()),
            new CutoverMetrics(services.GetRequiredService<IMeterFactory>()));
        var seen = DateTimeOffset.UnixEpoch;
        memory.Remote.RememberIfNewer(protection.Protect("250788000009"), "property", seen);

        // act
        var recalled = memory.TryRecall("250788000009", seen.AddMinutes(1), out var domain);

        // assert
        Assert.True(recalled);
        Assert.Equal("property", domain);
        Assert.True(local.TryRecall("250788000009", seen.AddMinutes(1), out _, out var at));
        Assert.Equal(seen, at);
        Assert.False(memory.TryRecall("250788000010", seen, out _));
    }

    private static Action<Dictionary<string, string?>> Shared(string? connectionString) => s =>
    {
        s["Cutover:Memory:Share"] = "on";
        s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
        if (connectionString is not null)
        {
            s["Cutover:Store:ConnectionString"] = connectionString;
        }
    };

    private static async Task PostAsync(RouterHarness router, string user, string text)
    {
        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, text)));
        response.EnsureSuccessStatusCode();
    }
}
