using System.Net;
using Cutover.Core.Rollout;
using Cutover.Server.Rollout;
using Cutover.Testing;
using Cutover.Testing.Golden;

namespace Cutover.Server.Tests.Golden;

/// <summary>
/// Pins every JSON answer of the admin API, <c>GET /</c> included, to a golden file in <c>Golden/Scenario/</c>: one
/// scripted scenario on a fake clock (traffic, a baseline, percent changes, an override, the kill switch, a whole
/// rollout with a pause, a rollback, a resume, completion, an abort), capturing each answer as it goes. The files are
/// named <c>NN-what.STATUS.json</c> in the order the scenario asks. A second scenario, in auto mode, pins what the
/// controller does by itself (<c>Golden/AutoRollout/</c>).
/// </summary>
/// <remarks>
/// A difference fails with the file and the JSON path of the first differing value. After a deliberate change of the
/// output, rewrite the files with <c>CUTOVER_UPDATE_GOLDEN=1 dotnet test tests/Cutover.Server.Tests --filter
/// FullyQualifiedName~Golden</c> and review their diff (see tests/README.md).
/// </remarks>
public sealed class AdminApiGoldenTests : IAsyncLifetime
{
    private const string OverrideUser = "250788000099";
    private GoldenRouter _golden = null!;
    private GoldenFiles _files = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // Each test starts its own router (the settings differ); one that failed to start has none.
        if (_golden is not null)
        {
            await _golden.DisposeAsync();
        }
    }

    [Fact]
    public async Task Scenario_EveryJsonAnswer_MatchesItsGoldenFile()
    {
        _golden = await GoldenRouter.StartAsync(cancellationToken: Cancel);
        _files = GoldenFiles.For(typeof(AdminApiGoldenTests).Assembly, "Scenario");

        // 09:00:10, a new store: nothing routed, no traffic
        await GetAsync("01-root", "", token: null);
        await GetAsync("02-status", "admin/status", GoldenRouter.ReadToken);
        await GetAsync("03-routing", "admin/routing");
        await GetAsync("04-overrides-none", "admin/overrides");
        await GetAsync("05-history-empty", "admin/history");
        await GetAsync("06-rollout-plan", "admin/rollout/plan");
        await GetAsync("07-rollout-idle", "admin/rollout");
        await GetAsync("08-health-no-traffic", "admin/health");
        await GetAsync("09-stats-no-traffic", "admin/stats");
        await GetAsync("10-baseline-none", "admin/baseline");
        await GetAsync("11-rollbacks-none", "admin/rollbacks");
        await ReadyIsPlainTextAsync();

        // 09:01:00: legacy traffic, then the baseline and what 10% would do
        _golden.AdvanceTo(new TimeSpan(9, 1, 0));
        await _golden.SendAsync(batch: 1, count: 100);
        await SendAsync("12-baseline-capture", HttpMethod.Post, "admin/baseline", """{"window": "1h", "reason": "legacy before the cutover"}""");
        await GetAsync("13-baseline", "admin/baseline");
        await GetAsync("14-simulate-percent-10", "admin/simulate?percent=10");
        await GetAsync("15-simulate-jobs-35", "admin/simulate?percent=35&domain=jobs&window=1h");

        // 09:01:30 on, a second apart: the changes of PUT /admin/routing, an override, the kill switch
        _golden.AdvanceTo(new TimeSpan(9, 1, 30));
        await ChangeAsync("16-set-percent-10", HttpMethod.Put, "admin/routing", """{"percent": 10, "reason": "week 6 day 3: start at 10%"}""");
        await ChangeAsync("17-set-percent-10-again", HttpMethod.Put, "admin/routing", """{"percent": 10, "reason": "again"}""");
        await ChangeAsync("18-set-jobs-35", HttpMethod.Put, "admin/routing", """{"domain": "jobs", "percent": 35, "reason": "jobs ahead of the others"}""");
        await ChangeAsync("19-set-jobs-global", HttpMethod.Put, "admin/routing",
            """{"domain": "jobs", "percent": null, "reason": "jobs follows the global percentage again"}""");
        await ChangeAsync("20-set-property-not-routable", HttpMethod.Put, "admin/routing",
            """{"domain": "property", "routable": false, "reason": "property handler not ready"}""");
        await ChangeAsync("21-set-property-routable-and-percent", HttpMethod.Put, "admin/routing",
            """{"domain": "property", "routable": true, "percent": 10, "reason": "property handler ready"}""");
        await ChangeAsync("22-set-property-global", HttpMethod.Put, "admin/routing",
            """{"domain": "property", "percent": null, "reason": "property follows the global percentage"}""");
        await ChangeAsync("23-override-set", HttpMethod.Put, $"admin/overrides/{OverrideUser}",
            """{"route": "unified", "domain": "jobs", "reason": "QA phone"}""");
        await GetAsync("24-overrides", "admin/overrides");
        await GetAsync("25-override", $"admin/overrides/{OverrideUser}");
        await ChangeAsync("26-disable", HttpMethod.Post, "admin/disable", """{"reason": "unified error rate 3%"}""");
        await ChangeAsync("27-enable", HttpMethod.Post, "admin/enable", """{"reason": "unified fixed"}""");
        await SendAsync("28-explain", HttpMethod.Post, "admin/explain", ExplainPayload(), GoldenRouter.ReadToken);
        await SendAsync("29-explain-field-change", HttpMethod.Post, "admin/explain",
            System.Text.Encoding.UTF8.GetString(WebhookBuilder.FieldChange("account_update")), GoldenRouter.ReadToken);

        // 09:02:00: traffic at 10%, the 20th unified request failing over to legacy
        _golden.AdvanceTo(new TimeSpan(9, 2, 0));
        _golden.Upstreams.FailShare("unified", 1.0 / 20);
        await _golden.SendAsync(batch: 2, count: 400);
        _golden.Upstreams.FailShare("unified", 0);
        await GetAsync("30-stats", "admin/stats");
        await GetAsync("31-health", "admin/health");
        await GetAsync("32-root-with-traffic", "", token: null);
        await GetAsync("33-simulate-rollback", "admin/simulate?change=rollback");
        await ChangeAsync("34-override-clear", HttpMethod.Delete, $"admin/overrides/{OverrideUser}?reason=QA%20done", null);

        // 09:02:30: the rollout starts at the percentage already set; the percent is now the rollout's
        _golden.AdvanceTo(new TimeSpan(9, 2, 30));
        await SendAsync("35-rollout-start", HttpMethod.Post, "admin/rollout/start", """{"reason": "week 6 day 3: begin the cutover"}""");
        await GetAsync("36-rollout-soaking", "admin/rollout");
        await SendAsync("37-set-percent-while-rollout", HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "by hand"}""");
        await SendAsync("38-promote-while-soaking", HttpMethod.Post, "admin/rollout/promote", """{"reason": "too early"}""");
        await GetAsync("39-simulate-step-2", "admin/simulate?step=2");

        // 09:03:00 traffic for the step; 09:04:40 the soak is over and a look finds every gate green
        _golden.AdvanceTo(new TimeSpan(9, 3, 0));
        await _golden.SendAsync(batch: 3, count: 500);
        _golden.AdvanceTo(new TimeSpan(9, 4, 40));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.AwaitingPromotion);
        await GetAsync("40-rollout-awaiting-promotion", "admin/rollout");
        await SendAsync("41-rollout-promote", HttpMethod.Post, "admin/rollout/promote", """{"reason": "10% green for the whole soak"}""");
        await SendAsync("42-rollout-pause", HttpMethod.Post, "admin/rollout/pause", """{"reason": "marketing campaign tonight"}""");
        await GetAsync("43-rollout-paused", "admin/rollout");
        await SendAsync("44-rollout-resume-paused", HttpMethod.Post, "admin/rollout/resume", """{"reason": "campaign over"}""");
        _golden.Advance(TimeSpan.FromSeconds(5));
        await SendAsync("45-rollback", HttpMethod.Post, "admin/rollback", """{"reason": "unified p95 at 4 s"}""");
        await GetAsync("46-rollbacks", "admin/rollbacks");
        await GetAsync("47-rollout-halted", "admin/rollout");
        _golden.Advance(TimeSpan.FromSeconds(5));
        await SendAsync("48-rollout-resume-halted", HttpMethod.Post, "admin/rollout/resume", """{"reason": "fix deployed in unified"}""");

        // 09:05:00 traffic at 100%; 09:07:30 the last soak is over: complete
        _golden.AdvanceTo(new TimeSpan(9, 5, 0));
        await _golden.SendAsync(batch: 4, count: 300);
        _golden.AdvanceTo(new TimeSpan(9, 7, 30));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.Complete);
        await GetAsync("49-rollout-complete", "admin/rollout");
        await SendAsync("50-abort-complete", HttpMethod.Post, "admin/rollout/abort", """{"reason": "too late"}""");

        // a second rollout, started below the first step (so start sets the percent), then aborted
        await ChangeAsync("51-set-percent-5", HttpMethod.Put, "admin/routing", """{"percent": 5, "reason": "start again from 5%"}""");
        await SendAsync("52-rollout-start-from-5", HttpMethod.Post, "admin/rollout/start", """{"reason": "second attempt"}""");
        await SendAsync("53-rollout-abort", HttpMethod.Post, "admin/rollout/abort", """{"reason": "postponed to next quarter"}""");

        // the record of it all
        await GetAsync("54-history", "admin/history");
        await GetAsync("55-history-percent-3", "admin/history?limit=3&kind=percent");
        await GetAsync("56-history-since", "admin/history?since=2026-11-25T09:06:00Z");
        await GetAsync("57-status-final", "admin/status");
        await GetAsync("58-routing-final", "admin/routing");
        await GetAsync("59-stats-final-15m", "admin/stats?window=15m");
        await GetAsync("60-health-final", "admin/health");
        await GetAsync("61-root-final", "", token: null);
        await GetAsync("62-decisions-newest-3", "admin/decisions?limit=3", GoldenRouter.ReadToken);
        await GetAsync("63-decisions-recent-errors", "admin/decisions?errors=true&window=1h&limit=20", GoldenRouter.ReadToken);

        _files.Verify();
    }

    /// <summary>
    /// What the controller does by itself, in auto mode (<c>Golden/AutoRollout/</c>): it holds a step that lacks
    /// requests, advances a green one, and rolls back to 0% when unified starts failing, recording why.
    /// </summary>
    [Fact]
    public async Task AutoRollout_HoldAdvanceAndAutomaticRollback_MatchTheirGoldenFiles()
    {
        _golden = await GoldenRouter.StartAsync(static s => s["Cutover:Rollout:Mode"] = "auto", cancellationToken: Cancel);
        _files = GoldenFiles.For(typeof(AdminApiGoldenTests).Assembly, "AutoRollout");

        // 09:00:20 the start sets 10%; 09:02:30 the soak is over but no request came: the look holds the step
        _golden.AdvanceTo(new TimeSpan(9, 0, 20));
        await SendAsync("01-rollout-start", HttpMethod.Post, "admin/rollout/start", """{"reason": "week 6 day 3: begin the cutover"}""");
        _golden.AdvanceTo(new TimeSpan(9, 2, 30));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.Holding);
        await GetAsync("02-rollout-holding", "admin/rollout");

        // 09:03:00 traffic; 09:04:10 the look finds every gate green and, in auto mode, advances to the last step
        _golden.AdvanceTo(new TimeSpan(9, 3, 0));
        await _golden.SendAsync(batch: 1, count: 500);
        _golden.AdvanceTo(new TimeSpan(9, 4, 10));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.Soaking);
        await GetAsync("03-rollout-advanced", "admin/rollout");

        // 09:05:00 unified fails every other request (legacy takes them); the next look rolls back by itself
        _golden.AdvanceTo(new TimeSpan(9, 5, 0));
        _golden.Upstreams.FailShare("unified", 0.5);
        await _golden.SendAsync(batch: 2, count: 300);
        _golden.Upstreams.FailShare("unified", 0);
        _golden.AdvanceTo(new TimeSpan(9, 5, 40));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.Halted);
        await GetAsync("04-rollout-halted-by-system", "admin/rollout");
        await GetAsync("05-rollbacks", "admin/rollbacks");
        await GetAsync("06-history", "admin/history");
        await GetAsync("07-stats", "admin/stats?window=15m");
        await GetAsync("08-root", "", token: null);

        _files.Verify();
    }

    /// <summary>One POST of several users and kinds: keyword, button, override, memory, status, a message classified by nothing.</summary>
    private static string ExplainPayload() => System.Text.Encoding.UTF8.GetString(new WebhookBuilder()
        .Change(
            new Msg("250788000101", "text", "I need a job in Kigali", Id: "wamid.explain.1"),
            new Msg("250788000102", "button_reply", "Apply", Id: "wamid.explain.2", ButtonId: "job_apply_42"),
            new Msg(OverrideUser, "text", "hello", Id: "wamid.explain.3"),
            new Msg(GoldenRouter.UserOf(1, 2), "image", Id: "wamid.explain.4"),
            new Msg("250788000103", "text", "need a moto ride", Id: "wamid.explain.5"),
            new Msg("250788000104", "location", Id: "wamid.explain.6"),
            new Msg(GoldenRouter.UserOf(1, 1), "status", "read", Id: "wamid.golden.1.0001"))
        .Build());

    private async Task GetAsync(string name, string path, string? token = GoldenRouter.OperateToken)
    {
        using var response = await _golden.Router.AdminAsync(HttpMethod.Get, path, token: token);
        await _files.CheckAsync(name, response);
    }

    private async Task SendAsync(string name, HttpMethod method, string path, string? json, string token = GoldenRouter.OperateToken)
    {
        using var response = await _golden.Router.AdminAsync(method, path, json, token);
        await _files.CheckAsync(name, response);
    }

    /// <summary>A change, a second after the previous one, so each audit event has its own time.</summary>
    private async Task ChangeAsync(string name, HttpMethod method, string path, string? json)
    {
        _golden.Advance(TimeSpan.FromSeconds(1));
        await SendAsync(name, method, path, json);
    }

    /// <summary>With nothing to say, <c>/readyz</c> is the plain text <c>ready</c>, not JSON: checked here, not by a file.</summary>
    private async Task ReadyIsPlainTextAsync()
    {
        using var response = await _golden.Router.Http.GetAsync("readyz", Cancel);
        Assert.Equal((HttpStatusCode.OK, "ready"), (response.StatusCode, await response.Content.ReadAsStringAsync(Cancel)));
    }

    /// <summary>The scenario depends on the rollout having reached this state; say so plainly when it did not.</summary>
    private async Task ExpectRolloutAsync(RolloutStatus expected)
    {
        var state = await _golden.Router.Service<RolloutService>().CurrentAsync(Cancel);
        Assert.True(state.Status == expected, $"the scenario needs the rollout {expected}, it is {state.Status} ({state.Note})");
    }
}
