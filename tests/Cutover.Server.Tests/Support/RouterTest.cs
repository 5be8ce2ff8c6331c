using Cutover.Testing;

namespace Cutover.Server.Tests.Support;

/// <summary>Starts real upstreams and a real router per test; derived tests adjust the settings.</summary>
public abstract class RouterTest : IAsyncLifetime
{
    protected RecordingUpstreams Upstreams { get; private set; } = null!;

    protected RouterHarness Router { get; private set; } = null!;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Upstreams = await RecordingUpstreams.StartAsync(Cancel);
        Router = await RouterHarness.StartAsync(Upstreams, Configure, cancellationToken: Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
    }

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>A user key whose bucket is below (or not below) the threshold of <paramref name="percent"/>.</summary>
    protected string UserWith(bool unified, decimal percent, int skip = 0)
    {
        var bucketing = Router.Service<Core.Routing.RouterTopology>().Bucketing;
        var threshold = Core.Routing.Bucketing.ThresholdOf(percent);
        return Enumerable.Range(0, 1_000_000).Select(static i => $"2507{i:D8}")
            .Where(u => bucketing.BucketOf(u) < threshold == unified).Skip(skip).First();
    }
}
