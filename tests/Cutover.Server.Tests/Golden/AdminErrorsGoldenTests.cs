using System.Text;
using Cutover.Testing;
using Cutover.Testing.Golden;

namespace Cutover.Server.Tests.Golden;

/// <summary>
/// Pins the refusals of the admin API and of <c>/webhook</c> to golden files in <c>Golden/Errors/</c>: one file per
/// refusal (code, message, <c>correlation_id</c>), the status in its name. Each is a request that fails the way a
/// script or an operator gets it wrong, against a golden host that changes as little as possible (the refusals that
/// need a change first, such as a start above the first step, come last).
/// </summary>
/// <remarks>Rewrite after a deliberate change with <c>CUTOVER_UPDATE_GOLDEN=1</c> (see tests/README.md).</remarks>
public sealed class AdminErrorsGoldenTests : IAsyncLifetime
{
    private const string Operate = GoldenRouter.OperateToken;
    private GoldenRouter _golden = null!;
    private GoldenFiles _files = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // A small body limit, so that 'too large' needs only a few kilobytes.
        _golden = await GoldenRouter.StartAsync(static s => s["Cutover:Ingress:MaxBodyBytes"] = "2048", cancellationToken: Cancel);
        _files = GoldenFiles.For(typeof(AdminErrorsGoldenTests).Assembly, "Errors");
    }

    public async ValueTask DisposeAsync() => await _golden.DisposeAsync();

    [Fact]
    public async Task Errors_EveryRefusal_MatchesItsGoldenFile()
    {
        // tokens and roles
        await AskAsync("auth-no-token", HttpMethod.Get, "admin/status", token: null);
        await AskAsync("auth-unknown-token", HttpMethod.Get, "admin/status", token: "not-a-configured-token-0123");
        await AskAsync("auth-read-token-change", HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "x"}""", GoldenRouter.ReadToken);
        await AskAsync("auth-read-token-baseline", HttpMethod.Post, "admin/baseline", """{"window": "1h"}""", GoldenRouter.ReadToken);

        // PUT /admin/routing
        await AskAsync("routing-no-reason", HttpMethod.Put, "admin/routing", """{"percent": 50}""");
        await AskAsync("routing-blank-reason", HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "   "}""");
        await AskAsync("routing-reason-control-character", HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "week 6 \u001b[31mday 3"}""");
        await AskAsync("routing-reason-too-long", HttpMethod.Put, "admin/routing", $$"""{"percent": 50, "reason": "{{new string('x', 1001)}}"}""");
        await AskAsync("routing-not-json", HttpMethod.Put, "admin/routing", "{percent: 50");
        await AskAsync("routing-null-body", HttpMethod.Put, "admin/routing", "null");
        await AskAsync("routing-wrong-type", HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": 7}""");
        await AskAsync("routing-nothing-to-change", HttpMethod.Put, "admin/routing", """{"reason": "x"}""");
        await AskAsync("routing-routable-without-domain", HttpMethod.Put, "admin/routing", """{"routable": true, "reason": "x"}""");
        await AskAsync("routing-percent-string", HttpMethod.Put, "admin/routing", """{"percent": "25", "reason": "x"}""");
        await AskAsync("routing-percent-150", HttpMethod.Put, "admin/routing", """{"percent": 150, "reason": "x"}""");
        await AskAsync("routing-percent-three-decimals", HttpMethod.Put, "admin/routing", """{"percent": 10.555, "reason": "x"}""");
        await AskAsync("routing-percent-null-without-domain", HttpMethod.Put, "admin/routing", """{"percent": null, "reason": "x"}""");
        await AskAsync("routing-unknown-domain", HttpMethod.Put, "admin/routing", """{"domain": "shoes", "percent": 10, "reason": "x"}""");
        await AskAsync("routing-protected-percent", HttpMethod.Put, "admin/routing", """{"domain": "mobility", "percent": 20, "reason": "x"}""");
        await AskAsync("routing-protected-routable", HttpMethod.Put, "admin/routing", """{"domain": "insurance", "routable": true, "reason": "x"}""");
        await AskAsync("routing-routable-ok-percent-refused", HttpMethod.Put, "admin/routing",
            """{"domain": "property", "routable": false, "percent": 150, "reason": "x"}""");

        // enable, disable
        await AskAsync("disable-no-body", HttpMethod.Post, "admin/disable");
        await AskAsync("enable-empty-object", HttpMethod.Post, "admin/enable", "{}");

        // overrides
        await AskAsync("override-not-found", HttpMethod.Get, "admin/overrides/250788000001");
        await AskAsync("override-bad-route", HttpMethod.Put, "admin/overrides/250788000001", """{"route": "sideways", "reason": "x"}""");
        await AskAsync("override-neither-route-nor-domain", HttpMethod.Put, "admin/overrides/250788000001", """{"reason": "x"}""");
        await AskAsync("override-unknown-domain", HttpMethod.Put, "admin/overrides/250788000001", """{"domain": "shoes", "reason": "x"}""");
        await AskAsync("override-user-too-long", HttpMethod.Put, $"admin/overrides/{new string('7', 129)}", """{"route": "unified", "reason": "x"}""");
        await AskAsync("override-user-control-character", HttpMethod.Put, "admin/overrides/2507%0A88", """{"route": "unified", "reason": "x"}""");
        await AskAsync("override-clear-no-reason", HttpMethod.Delete, "admin/overrides/250788000001");

        // reading: bad parameters
        await AskAsync("history-bad-limit", HttpMethod.Get, "admin/history?limit=0");
        await AskAsync("history-bad-since", HttpMethod.Get, "admin/history?since=yesterday");
        await AskAsync("stats-bad-window", HttpMethod.Get, "admin/stats?window=2y");
        await AskAsync("stats-window-too-short", HttpMethod.Get, "admin/stats?window=30s");
        await AskAsync("rollbacks-bad-limit", HttpMethod.Get, "admin/rollbacks?limit=0");
        await AskAsync("simulate-no-percent", HttpMethod.Get, "admin/simulate");
        await AskAsync("simulate-percent-101", HttpMethod.Get, "admin/simulate?percent=101");
        await AskAsync("simulate-percent-and-step", HttpMethod.Get, "admin/simulate?percent=10&step=1");
        await AskAsync("simulate-bad-step", HttpMethod.Get, "admin/simulate?step=9");
        await AskAsync("simulate-protected-domain", HttpMethod.Get, "admin/simulate?percent=10&domain=mobility");
        await AskAsync("simulate-unknown-domain", HttpMethod.Get, "admin/simulate?percent=10&domain=shoes");
        await AskAsync("simulate-global-without-domain", HttpMethod.Get, "admin/simulate?percent=global");
        await AskAsync("simulate-bad-change", HttpMethod.Get, "admin/simulate?change=undo&percent=0");
        await AskAsync("simulate-rollback-with-domain", HttpMethod.Get, "admin/simulate?change=rollback&domain=jobs");
        await AskAsync("simulate-bad-window", HttpMethod.Get, "admin/simulate?percent=10&window=2y");

        // dead letters
        await AskAsync("auth-read-token-dlq-replay", HttpMethod.Post, "admin/dlq/replay", """{"all": true, "reason": "x"}""", GoldenRouter.ReadToken);
        await AskAsync("dlq-bad-limit", HttpMethod.Get, "admin/dlq?limit=5000");
        await AskAsync("dlq-bad-since", HttpMethod.Get, "admin/dlq?since=yesterday");
        await AskAsync("dlq-unknown-domain", HttpMethod.Get, "admin/dlq?domain=shoes");
        await AskAsync("dlq-unknown-upstream", HttpMethod.Get, "admin/dlq?upstream=nowhere");
        await AskAsync("dlq-unknown-reason", HttpMethod.Get, "admin/dlq?reason=boom");

        // the decision tail
        await AskAsync("decisions-bad-limit", HttpMethod.Get, "admin/decisions?limit=0");
        await AskAsync("decisions-bad-window", HttpMethod.Get, "admin/decisions?window=15");
        await AskAsync("decisions-window-and-since", HttpMethod.Get, "admin/decisions?window=1h&since=1h");
        await AskAsync("decisions-unknown-domain", HttpMethod.Get, "admin/decisions?domain=shoes");
        await AskAsync("decisions-bad-route", HttpMethod.Get, "admin/decisions?route=sideways");
        await AskAsync("decisions-bad-cursor", HttpMethod.Get, "admin/decisions?after=garbage");
        await AskAsync("decisions-user-control-character", HttpMethod.Get, "admin/decisions?user=%1B%5B31m");
        await AskAsync("decisions-stream-bad-limit", HttpMethod.Get, "admin/decisions/stream?limit=99999");
        await AskAsync("dlq-show-bad-id", HttpMethod.Get, "admin/dlq/abc");
        await AskAsync("dlq-show-not-found", HttpMethod.Get, "admin/dlq/42");
        await AskAsync("dlq-replay-no-reason", HttpMethod.Post, "admin/dlq/replay", """{"ids": [42]}""");
        await AskAsync("dlq-replay-neither-ids-nor-all", HttpMethod.Post, "admin/dlq/replay", """{"reason": "x"}""");
        await AskAsync("dlq-replay-ids-and-all", HttpMethod.Post, "admin/dlq/replay", """{"ids": [42], "all": true, "reason": "x"}""");
        await AskAsync("dlq-replay-filter-with-ids", HttpMethod.Post, "admin/dlq/replay", """{"ids": [42], "since": "1h", "reason": "x"}""");
        await AskAsync("dlq-replay-bad-to", HttpMethod.Post, "admin/dlq/replay", """{"all": true, "to": "sideways", "reason": "x"}""");
        await AskAsync("dlq-replay-not-found", HttpMethod.Post, "admin/dlq/replay", """{"ids": [42, 43], "reason": "x"}""");
        await AskAsync("dlq-purge-no-before", HttpMethod.Post, "admin/dlq/purge", """{"reason": "x"}""");
        await AskAsync("dlq-purge-bad-before", HttpMethod.Post, "admin/dlq/purge", """{"before": "soon", "reason": "x"}""");

        // explain
        await AskAsync("explain-not-json", HttpMethod.Post, "admin/explain", "hello");
        await AskAsync("explain-no-entry", HttpMethod.Post, "admin/explain", """{"object": "whatsapp_business_account"}""");
        await AskAsync("explain-too-large", HttpMethod.Post, "admin/explain", $$"""{"object": "{{new string('x', 4096)}}"}""");

        // baseline
        await AskAsync("baseline-no-legacy-traffic", HttpMethod.Post, "admin/baseline", """{"window": "1h"}""");
        await AskAsync("baseline-bad-window", HttpMethod.Post, "admin/baseline", """{"window": "2y"}""");
        await AskAsync("baseline-reason-control-character", HttpMethod.Post, "admin/baseline", """{"reason": "a\tb"}""");

        // the rollout and rollbacks, idle
        await AskAsync("rollout-unknown-command", HttpMethod.Post, "admin/rollout/go", """{"reason": "x"}""");
        await AskAsync("rollout-start-no-body", HttpMethod.Post, "admin/rollout/start");
        await AskAsync("rollout-start-no-reason", HttpMethod.Post, "admin/rollout/start", "{}");
        await AskAsync("rollout-start-not-json", HttpMethod.Post, "admin/rollout/start", "reason=x");
        await AskAsync("rollout-start-protected-domain", HttpMethod.Post, "admin/rollout/start", """{"domain": "mobility", "reason": "x"}""");
        await AskAsync("rollout-promote-idle", HttpMethod.Post, "admin/rollout/promote", """{"reason": "x"}""");
        await AskAsync("rollout-pause-idle", HttpMethod.Post, "admin/rollout/pause", """{"reason": "x"}""");
        await AskAsync("rollout-resume-idle", HttpMethod.Post, "admin/rollout/resume", """{"reason": "x"}""");
        await AskAsync("rollout-abort-idle", HttpMethod.Post, "admin/rollout/abort", """{"reason": "x"}""");
        await AskAsync("rollback-no-body", HttpMethod.Post, "admin/rollback");
        await AskAsync("rollback-to-150", HttpMethod.Post, "admin/rollback", """{"to": 150, "reason": "x"}""");
        await AskAsync("rollback-raises", HttpMethod.Post, "admin/rollback", """{"to": 10, "reason": "x"}""");

        // a path that is not in normal form, refused before any endpoint
        await AskAsync("path-encoded-slash", HttpMethod.Get, "admin%2Fstatus");

        // the webhook's refusals
        var body = WebhookBuilder.Of(new Msg("250788000001", "text", "I need a job", Id: "wamid.errors.1"));
        await WebhookAsync("webhook-unsigned", body, sign: false);
        await WebhookAsync("webhook-wrong-signature", body, signature: "sha256=" + new string('0', 64));
        await WebhookAsync("webhook-malformed", Encoding.UTF8.GetBytes("""{"object": "whatsapp_business_account", "entry": 7}"""));
        await WebhookAsync("webhook-too-large", Encoding.UTF8.GetBytes($$"""{"object": "{{new string('x', 4096)}}"}"""));
        _golden.Upstreams.Respond("jobs", 503);
        await WebhookAsync("webhook-no-upstream", body);
        _golden.Upstreams.Respond("jobs", 200);
        await AskAsync("verify-wrong-token", HttpMethod.Get, "webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444", token: null);
        await AskAsync("verify-bad-mode", HttpMethod.Get, $"webhook?hub.mode=unsubscribe&hub.verify_token={RouterHarness.VerifyToken}&hub.challenge=1", token: null);

        // refusals that need a change first: the kill switch on, then a percentage above the plan's first step
        _golden.Advance(TimeSpan.FromSeconds(1));
        await ExpectOkAsync(HttpMethod.Post, "admin/disable", """{"reason": "errors test"}""");
        await AskAsync("rollout-start-disabled", HttpMethod.Post, "admin/rollout/start", """{"reason": "x"}""");
        await ExpectOkAsync(HttpMethod.Post, "admin/enable", """{"reason": "errors test"}""");
        await ExpectOkAsync(HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "errors test"}""");
        await AskAsync("rollout-start-above-first-step", HttpMethod.Post, "admin/rollout/start", """{"reason": "x"}""");
        await AskAsync("rollback-raises-from-50", HttpMethod.Post, "admin/rollback", """{"to": 75, "reason": "x"}""");

        _files.Verify();
    }

    private async Task AskAsync(string name, HttpMethod method, string path, string? json = null, string? token = Operate)
    {
        using var response = await _golden.Router.AdminAsync(method, path, json, token);
        await _files.CheckAsync(name, response);
    }

    private async Task ExpectOkAsync(HttpMethod method, string path, string json)
    {
        using var response = await _golden.Router.AdminAsync(method, path, json, Operate);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
    }

    private async Task WebhookAsync(string name, byte[] body, bool sign = true, string? signature = null)
    {
        using var response = await _golden.Router.PostWebhookAsync(body, sign, signature);
        await _files.CheckAsync(name, response);
    }
}
