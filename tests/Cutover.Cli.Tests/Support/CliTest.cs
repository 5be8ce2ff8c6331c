using Cutover.Testing;

namespace Cutover.Cli.Tests.Support;

/// <summary>Real upstreams and a real router for CLI verbs to talk to; the CLI is invoked in-process.</summary>
public abstract class CliTest : IAsyncLifetime
{
    protected const string OperateToken = "operate-token-0123456789";
    protected const string ReadToken = "read-token-0123456789ab";

    protected RecordingUpstreams Upstreams { get; private set; } = null!;

    protected RouterHarness Router { get; private set; } = null!;

    protected string Url => Router.Address.ToString();

    /// <summary><c>Privacy:UserKeys</c> of the router: raw, so tests can read user keys back, unless a class needs them hashed.</summary>
    protected virtual string UserKeys => "raw";

    public async ValueTask InitializeAsync()
    {
        Upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        Router = await RouterHarness.StartAsync(Upstreams, s =>
        {
            s["Cutover:Privacy:UserKeys"] = UserKeys;
            s["Cutover:Admin:Tokens:0:Name"] = "alice";
            s["Cutover:Admin:Tokens:0:Token"] = OperateToken;
            s["Cutover:Admin:Tokens:0:Role"] = "operate";
            s["Cutover:Admin:Tokens:1:Name"] = "dashboard";
            s["Cutover:Admin:Tokens:1:Token"] = ReadToken;
            s["Cutover:Admin:Tokens:1:Role"] = "read";
        }, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
    }

    /// <summary>Runs the CLI against this router with the operate token, appending <c>--url</c> and <c>--token</c>.</summary>
    protected Task<CliRun> Cutover(params string[] args) => CliRun.InvokeAsync([.. args, "--url", Url, "--token", OperateToken]);

    protected Task<CliRun> CutoverAs(string token, params string[] args) => CliRun.InvokeAsync([.. args, "--url", Url, "--token", token]);
}
