using System.Text.Json;
using Cutover.Testing;

namespace Cutover.Dashboard.Tests.Support;

/// <summary>
/// A real router (<see cref="RouterHarness"/>: the host <c>cutover serve</c> runs) with a two-step manual rollout
/// started at 50% and real webhooks sent through it to <see cref="RecordingUpstreams"/>, so every panel has figures.
/// </summary>
public sealed class DashboardRouter : IAsyncDisposable
{
    /// <summary>Fewer than health's minimum (100 by default): the gates say insufficient data, and nothing rolls back by itself.</summary>
    public const int Webhooks = 60;

    /// <summary>The operate token <c>alice</c> has when tokens are configured.</summary>
    public const string OperateToken = "operate-token-0123456789";

    /// <summary>The read token <c>watcher</c> has when tokens are configured.</summary>
    public const string ReadToken = "read-token-0123456789ab";

    private readonly string? _token;

    private DashboardRouter(RecordingUpstreams upstreams, RouterHarness router, string? token)
    {
        Upstreams = upstreams;
        Router = router;
        _token = token;
    }

    public RecordingUpstreams Upstreams { get; }

    public RouterHarness Router { get; }

    public Uri Address => Router.Address;

    /// <param name="tokens">Configure an operate and a read token; without, loopback needs none.</param>
    public static async Task<DashboardRouter> StartAsync(CancellationToken cancellationToken, bool tokens = false)
    {
        var upstreams = await RecordingUpstreams.StartAsync(cancellationToken);
        var router = await RouterHarness.StartAsync(upstreams, s =>
        {
            if (tokens)
            {
                s["Cutover:Admin:Tokens:0:Name"] = "alice";
                s["Cutover:Admin:Tokens:0:Token"] = OperateToken;
                s["Cutover:Admin:Tokens:0:Role"] = "operate";
                s["Cutover:Admin:Tokens:1:Name"] = "watcher";
                s["Cutover:Admin:Tokens:1:Token"] = ReadToken;
                s["Cutover:Admin:Tokens:1:Role"] = "read";
            }

            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
            s["Cutover:Rollout:Mode"] = "manual";
            s["Cutover:Rollout:Steps:0:Percent"] = "50";
            s["Cutover:Rollout:Steps:0:Soak"] = "00:30:00";
            s["Cutover:Rollout:Steps:0:MinRequests"] = "500";
            s["Cutover:Rollout:Steps:1:Percent"] = "100";
            s["Cutover:Rollout:Steps:1:Soak"] = "01:00:00";
            s["Cutover:Rollout:Steps:1:MinRequests"] = "1000";
        }, cancellationToken: cancellationToken);
        var started = new DashboardRouter(upstreams, router, tokens ? OperateToken : null);
        try
        {
            using var start = await router.AdminAsync(HttpMethod.Post, "admin/rollout/start", """{"reason": "dashboard test week 1"}""", started._token);
            if (!start.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the rollout did not start: {(int)start.StatusCode} {await start.Content.ReadAsStringAsync(cancellationToken)}");
            }

            string[] texts = ["I need a job", "house for rent", "a car to buy", "hello"];
            for (var i = 0; i < Webhooks; i++)
            {
                using var sent = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507880{i:D5}", texts[i % texts.Length])));
            }

            await router.WaitForDecisionsAsync(Webhooks);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>An admin endpoint's JSON (with the operate token when tokens are configured).</summary>
    public async Task<JsonElement> ReadAsync(string path)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, path, token: _token);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
    }
}
