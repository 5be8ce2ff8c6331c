using System.Net;
using System.Text.Json;
using Cutover.Core.Health;
using Cutover.Server.Cluster;
using Cutover.Server.Rollout;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Cluster;

/// <summary>
/// Two routers on one store and one fake clock: only the holder of the <c>rollout-controller</c> lease evaluates and
/// stores the health verdict; when its lease goes (its connection died), the other takes over within one evaluation
/// interval.
/// </summary>
public sealed class LeadershipTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 10, TimeSpan.Zero));
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _first = null!;
    private RouterHarness _second = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _first = await RouterHarness.StartAsync(_upstreams, static s => s["Cutover:DecisionLog:FlushInterval"] = "00:00:00", _time, Cancel);
        var shared = $"Data Source={_first.DatabasePath}";
        _second = await RouterHarness.StartAsync(_upstreams, s =>
        {
            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
            s["Cutover:Store:ConnectionString"] = shared;
        }, _time, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task TwoControllers_OnlyTheLeaderEvaluates_TheOtherTakesOverWithinOneIntervalWhenItsLeaseIsGone()
    {
        // arrange: the first to start leads
        var first = _first.Service<RolloutLeadership>();
        var second = _second.Service<RolloutLeadership>();
        Assert.True(first.IsLeader);
        Assert.False(second.IsLeader);

        // act: one interval; only the leader looks and stores its verdict
        _time.Advance(Interval);
        await Eventually.WaitAsync(async () => (await LatestAsync())?.Instance == Id(_first), TimeSpan.FromSeconds(10), "the leader's verdict");
        Assert.False(second.IsLeader);
        Assert.Equal((true, false), (await LeaderFlagAsync(_first, "admin/status"), await LeaderFlagAsync(_second, "admin/status")));
        Assert.Equal((true, false), (await LeaderFlagAsync(_first, "admin/rollout"), await LeaderFlagAsync(_second, "admin/rollout")));

        // the leader's connection dies: its lease is gone
        await first.HeldLease!.DisposeAsync();
        _time.Advance(Interval);

        // assert: within that one interval the second leads and stores the verdict; the first noticed and stepped down
        await Eventually.WaitAsync(async () => second.IsLeader && (await LatestAsync())?.Instance == Id(_second), TimeSpan.FromSeconds(10),
            "the second to take over");
        await Eventually.WaitAsync(() => !first.IsLeader, TimeSpan.FromSeconds(10), "the first to step down");

        // and the first does not win it back while the second holds it
        _time.Advance(Interval);
        await Eventually.WaitAsync(async () => (await LatestAsync())?.Report.At == _time.GetUtcNow(), TimeSpan.FromSeconds(10), "the next look");
        Assert.Equal((false, true), (first.IsLeader, second.IsLeader));
        Assert.Equal(Id(_second), (await LatestAsync())!.Instance);
    }

    [Fact]
    public async Task AdminHealth_OnAnyInstance_StoresItsVerdictForSql()
    {
        using var response = await _second.AdminAsync(HttpMethod.Get, "admin/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;

        var stored = await LatestAsync();
        Assert.NotNull(stored);
        Assert.Equal(Id(_second), stored.Instance);
        Assert.Equal(body.GetProperty("state").GetString(), stored.Report.State.ToName());
        Assert.Equal(body.GetProperty("checks").GetArrayLength(), stored.Report.Checks.Count);
    }

    private Task<HealthSnapshot?> LatestAsync() => _first.Service<ICutoverStore>().LatestHealthAsync(Cancel);

    private static string Id(RouterHarness router) => router.Service<InstanceIdentity>().Id;

    private static async Task<bool> LeaderFlagAsync(RouterHarness router, string path)
    {
        using var response = await router.AdminAsync(HttpMethod.Get, path);
        var instance = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("instance");
        Assert.Equal(Id(router), instance.GetProperty("id").GetString());
        return instance.GetProperty("leader").GetBoolean();
    }
}
