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

    /// <summary>The operate token <see cref="WithTokens"/> configures (as <c>alice</c>).</summary>
    protected const string OperateToken = "operate-token-0123456789";

    /// <summary>The read token <see cref="WithTokens"/> configures (as <c>dashboard</c>).</summary>
    protected const string ReadToken = "read-token-0123456789ab";

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>Two admin tokens, one per role: <see cref="OperateToken"/> (alice) and <see cref="ReadToken"/> (dashboard).</summary>
    protected static void WithTokens(Dictionary<string, string?> settings)
    {
        settings["Cutover:Admin:Tokens:0:Name"] = "alice";
        settings["Cutover:Admin:Tokens:0:Token"] = OperateToken;
        settings["Cutover:Admin:Tokens:0:Role"] = "operate";
        settings["Cutover:Admin:Tokens:1:Name"] = "dashboard";
        settings["Cutover:Admin:Tokens:1:Token"] = ReadToken;
        settings["Cutover:Admin:Tokens:1:Role"] = "read";
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
