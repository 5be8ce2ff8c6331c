using System.Text;
using Cutover.Cli.Tests.Support;
using Cutover.Core.Delivery;
using Cutover.Core.Rollout;
using Cutover.Server.Rollout;
using Cutover.Store;
using Cutover.Testing;
using Cutover.Testing.Golden;

namespace Cutover.Cli.Tests.Golden;

/// <summary>
/// Pins the <c>--json</c> output of every verb that has it to a golden file in <c>Golden/Json/</c>: the CLI, run in
/// process, drives the same kind of scripted scenario on a fake clock as the admin API's golden test (traffic, a
/// baseline, percent changes, an override, the kill switch, a whole rollout with a pause, a rollback, a resume,
/// completion, an abort). Each file is what the verb printed, and each run's exit code is checked as it goes.
/// </summary>
/// <remarks>
/// The CLI reads the server's answer into the contract types and writes them again, so these files also catch a field
/// the server sends that the CLI drops. Rewrite them after a deliberate change with <c>CUTOVER_UPDATE_GOLDEN=1 dotnet
/// test tests/Cutover.Cli.Tests --filter FullyQualifiedName~Golden</c> and review the diff (see tests/README.md).
/// </remarks>
public sealed class CliJsonGoldenTests : IAsyncLifetime
{
    private const string OverrideUser = "250788000099";
    private GoldenRouter _golden = null!;
    private GoldenFiles _files = null!;
    private DirectoryInfo _inputs = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _golden = await GoldenRouter.StartAsync(cancellationToken: Cancel);
        _files = GoldenFiles.For(typeof(CliJsonGoldenTests).Assembly, "Json");
        _inputs = Directory.CreateTempSubdirectory("cutover-golden-");
    }

    public async ValueTask DisposeAsync()
    {
        await _golden.DisposeAsync();
        _inputs.Delete(recursive: true);
    }

    [Fact]
    public async Task EveryJsonVerb_OutputMatchesItsGoldenFile()
    {
        var payload = Input("payload.json", ExplainPayload());
        var config = Input("cutover.json", OfflineConfig());

        // 09:00:10, a new store
        await JsonAsync("01-status", 0, "status");
        await JsonAsync("02-rollout-plan", 0, "rollout", "plan");
        await JsonAsync("03-rollout-status-idle", 0, "rollout", "status");
        await JsonAsync("04-health-no-traffic", 1, "health");
        await JsonAsync("05-history-empty", 0, "history");
        await JsonAsync("06-explain-offline", 0, "explain", "--payload", payload, "--config", config);

        // 09:01:00: legacy traffic, the baseline, what 10% would do
        _golden.AdvanceTo(new TimeSpan(9, 1, 0));
        await _golden.SendAsync(batch: 1, count: 100);
        await JsonAsync("07-baseline-capture", 0, "baseline", "capture", "--window", "1h", "--reason", "legacy before the cutover");
        await JsonAsync("08-baseline-show", 0, "baseline", "show");
        await JsonAsync("09-simulate-percent-10", 0, "simulate", "--percent", "10");
        await JsonAsync("10-simulate-jobs-35", 0, "simulate", "--percent", "35", "--domain", "jobs", "--window", "1h");
        await JsonAsync("11-simulate-step-2", 0, "simulate", "--step", "2");

        // 09:01:30 on, a second apart: set, override, the kill switch
        _golden.AdvanceTo(new TimeSpan(9, 1, 30));
        await ChangeAsync("12-set-10", "set", "10", "--reason", "week 6 day 3: start at 10%");
        await ChangeAsync("13-set-10-again", "set", "10", "--reason", "again");
        await ChangeAsync("14-set-jobs-35", "set", "35", "--domain", "jobs", "--reason", "jobs ahead of the others");
        await ChangeAsync("15-set-jobs-global", "set", "global", "--domain", "jobs", "--reason", "jobs follows the global percentage again");
        await ChangeAsync("16-set-property-routable-off", "set", "global", "--domain", "property", "--routable", "off", "--reason", "property handler not ready");
        await ChangeAsync("17-set-property-routable-on", "set", "global", "--domain", "property", "--routable", "on", "--reason", "property handler ready");
        await ChangeAsync("18-override-unified", "override", OverrideUser, "unified", "--domain", "jobs", "--reason", "QA phone");
        await ChangeAsync("19-override-domain-only", "override", "250788000098", "none", "--domain", "property", "--reason", "misclassified, ticket 812");
        await ChangeAsync("20-disable", "disable", "--reason", "unified error rate 3%");
        await ChangeAsync("21-enable", "enable", "--reason", "unified fixed");
        await JsonAsync("22-explain", 0, "explain", "--payload", payload);

        // 09:02:00: traffic at 10%, the 20th unified request failing over to legacy
        _golden.AdvanceTo(new TimeSpan(9, 2, 0));
        _golden.Upstreams.FailShare("unified", 1.0 / 20);
        await _golden.SendAsync(batch: 2, count: 400);
        _golden.Upstreams.FailShare("unified", 0);
        await JsonAsync("23-stats", 0, "stats");
        await JsonAsync("24-stats-15m", 0, "stats", "--window", "15m");
        await JsonAsync("25-health", 0, "health");
        await ChangeAsync("26-override-clear", "override", OverrideUser, "clear", "--reason", "QA done");
        await ChangeAsync("27-override-clear-domain-only", "override", "250788000098", "clear", "--reason", "fixed");

        // 09:02:30: the rollout
        _golden.AdvanceTo(new TimeSpan(9, 2, 30));
        await JsonAsync("28-rollout-start", 0, "rollout", "start", "--reason", "week 6 day 3: begin the cutover");
        await JsonAsync("29-rollout-status-soaking", 0, "rollout", "status");
        _golden.AdvanceTo(new TimeSpan(9, 3, 0));
        await _golden.SendAsync(batch: 3, count: 500);
        _golden.AdvanceTo(new TimeSpan(9, 4, 40));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.AwaitingPromotion);
        await JsonAsync("30-rollout-status-awaiting-promotion", 0, "rollout", "status");
        await JsonAsync("31-rollout-promote", 0, "rollout", "promote", "--reason", "10% green for the whole soak");
        await JsonAsync("32-rollout-pause", 0, "rollout", "pause", "--reason", "marketing campaign tonight");
        await JsonAsync("33-rollout-resume-paused", 0, "rollout", "resume", "--reason", "campaign over");
        _golden.Advance(TimeSpan.FromSeconds(5));
        await JsonAsync("34-rollback", 0, "rollback", "--reason", "unified p95 at 4 s");
        await JsonAsync("35-rollout-status-halted", 0, "rollout", "status");
        _golden.Advance(TimeSpan.FromSeconds(5));
        await JsonAsync("36-rollout-resume-halted", 0, "rollout", "resume", "--reason", "fix deployed in unified");
        _golden.AdvanceTo(new TimeSpan(9, 5, 0));
        await _golden.SendAsync(batch: 4, count: 300);
        _golden.AdvanceTo(new TimeSpan(9, 7, 30));
        await _golden.EvaluateRolloutAsync(Cancel);
        await ExpectRolloutAsync(RolloutStatus.Complete);
        await JsonAsync("37-rollout-status-complete", 0, "rollout", "status");

        // a second rollout from below the first step, then aborted; a rollback to a percent on the way
        await ChangeAsync("38-set-5", "set", "5", "--reason", "start again from 5%");
        await JsonAsync("39-rollout-start-from-5", 0, "rollout", "start", "--reason", "second attempt");
        await JsonAsync("40-rollback-to-5", 0, "rollback", "--to", "5", "--reason", "back to 5% while we look");
        await JsonAsync("41-rollout-abort", 0, "rollout", "abort", "--reason", "postponed to next quarter");

        // the record of it all
        await JsonAsync("42-history", 0, "history");
        await JsonAsync("43-history-percent-3", 0, "history", "--kind", "percent", "--limit", "3");
        await JsonAsync("44-history-since", 0, "history", "--since", "2026-11-25T09:07:00Z");
        await JsonAsync("45-status-final", 0, "status");
        await JsonAsync("46-health-final", 1, "health");

        // the dead letters: one after an attempt at unified, one unparseable body; listed, shown, replayed, purged
        _golden.AdvanceTo(new TimeSpan(9, 10, 0));
        var (dead, unparseable) = await SeedDeadLettersAsync();
        _golden.Advance(TimeSpan.FromMinutes(1));
        await JsonAsync("47-dlq-list", 0, "dlq", "list");
        await JsonAsync("48-dlq-list-jobs", 0, "dlq", "list", "--domain", "jobs", "--since", "5m");
        await JsonAsync("49-dlq-show", 0, "dlq", "show", dead);
        await JsonAsync("50-dlq-show-unparseable", 0, "dlq", "show", unparseable);
        await JsonAsync("51-dlq-replay", 0, "dlq", "replay", dead, "--to", "legacy", "--reason", "unified back after the 09:09 outage");
        _golden.Advance(TimeSpan.FromSeconds(1));
        await JsonAsync("52-dlq-purge", 0, "dlq", "purge", "--before", "1m", "--reason", "the load test's junk");
        await JsonAsync("53-history-dlq", 0, "history", "--since", "2026-11-25T09:10:00Z");

        // the read-only lists: the two rollbacks above, one domain's stats, an override set again
        await JsonAsync("54-rollbacks", 0, "rollbacks");
        await JsonAsync("55-stats-jobs", 0, "stats", "--domain", "jobs");
        await ChangeAsync("56-override-unified-again", "override", OverrideUser, "unified", "--domain", "jobs", "--reason", "QA phone again");
        await JsonAsync("57-overrides", 0, "overrides");

        _files.Verify();
    }

    /// <summary>
    /// Two dead letters made through the store as the worker and acceptance make them: a text message that failed once at
    /// unified (claimed, then dead-lettered), and a signed body that is not JSON. Their ids, as the CLI takes them.
    /// </summary>
    private async Task<(string Dead, string Unparseable)> SeedDeadLettersAsync()
    {
        var store = _golden.Router.Service<IDeliveryStore>();
        var now = _golden.Time.GetUtcNow();
        var body = WebhookBuilder.Of(new Msg("250788000201", "text", "I need a job", Id: "wamid.golden.dlq.1"));
        await store.AcceptAsync([new InboxWebhook(now, "golden-dlq-1", body, "sha256=golden", [new InboxUpdate(0, "wamid.golden.dlq.1", "golden-person")], null)], Cancel);
        var claimed = Assert.Single(await store.ClaimAsync("golden", 10, now, TimeSpan.FromMinutes(1), Cancel));
        Assert.True(await store.DeadLetterAsync(claimed.Id, "golden", new DeliveryAttempt(1, now, "unified", "unified", 503, "503 Service Unavailable", 41.5),
            DeadLetterReasons.AttemptsExhausted, "503 Service Unavailable", "jobs", "unified", Cancel));
        await store.AcceptAsync([new InboxWebhook(now, "golden-dlq-2", "<html>"u8.ToArray(), "sha256=golden", [], "'<' is an invalid start of a value")], Cancel);
        var unparseable = (await store.ListDeadLettersAsync(new DeadLetterQuery(Reason: DeadLetterReasons.Unparseable), Cancel))[0].Id;
        return (claimed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), unparseable.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The payload <c>explain</c> reads: keyword, button, override, memory, status, a message classified by nothing.</summary>
    private static string ExplainPayload() => Encoding.UTF8.GetString(new WebhookBuilder()
        .Change(
            new Msg("250788000101", "text", "I need a job in Kigali", Id: "wamid.explain.1"),
            new Msg("250788000102", "button_reply", "Apply", Id: "wamid.explain.2", ButtonId: "job_apply_42"),
            new Msg(OverrideUser, "text", "hello", Id: "wamid.explain.3"),
            new Msg(GoldenRouter.UserOf(1, 2), "image", Id: "wamid.explain.4"),
            new Msg("250788000103", "text", "need a moto ride", Id: "wamid.explain.5"),
            new Msg("250788000104", "location", Id: "wamid.explain.6"),
            new Msg(GoldenRouter.UserOf(1, 1), "status", "read", Id: "wamid.golden.1.0001"))
        .Build());

    /// <summary>
    /// A configuration for <c>explain --config</c>, which explains without a server: every upstream (never called) and
    /// a store file that does not exist, so the initial routing state is used.
    /// </summary>
    private string OfflineConfig()
    {
        var upstreams = string.Join(",\n", RecordingUpstreams.Names.Select(static n => $$"""      "{{n}}": { "Url": "http://127.0.0.1:9/{{n}}" }"""));
        var store = Path.Combine(_inputs.FullName, "absent.db");
        return $$"""
            {
              "Cutover": {
                "Upstreams": {
            {{upstreams}}
                },
                "Store": { "ConnectionString": "Data Source={{store}}" },
                "Privacy": { "HashKey": "golden-hash-key-0123456789" }
              }
            }
            """;
    }

    private string Input(string name, string text)
    {
        var path = Path.Combine(_inputs.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Runs a verb with <c>--json</c> and the operate token, checks its exit code and that it wrote nothing to standard
    /// error, that the output is the indented JSON with readable characters that cli.md promises, then its golden file.
    /// </summary>
    private async Task JsonAsync(string name, int exitCode, params string[] args)
    {
        var run = await CliRun.InvokeAsync([.. args, "--json", "--url", _golden.Router.Address.ToString(), "--token", GoldenRouter.OperateToken]);
        Assert.True(run.ExitCode == exitCode && run.Error.Length == 0, $"cutover {string.Join(' ', args)} --json, expected exit {exitCode}: {run}");
        Assert.Equal(GoldenJson.Format(GoldenJson.Parse(run.Out, "the output")), run.Out);
        _files.Check(name, run.Out);
    }

    /// <summary>A change, a second after the previous one, so each audit event has its own time.</summary>
    private Task ChangeAsync(string name, params string[] args)
    {
        _golden.Advance(TimeSpan.FromSeconds(1));
        return JsonAsync(name, 0, args);
    }

    /// <summary>The scenario depends on the rollout having reached this state; say so plainly when it did not.</summary>
    private async Task ExpectRolloutAsync(RolloutStatus expected)
    {
        var state = await _golden.Router.Service<RolloutService>().CurrentAsync(Cancel);
        Assert.True(state.Status == expected, $"the scenario needs the rollout {expected}, it is {state.Status} ({state.Note})");
    }
}
