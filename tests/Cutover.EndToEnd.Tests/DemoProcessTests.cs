using System.Diagnostics;
using System.Text.RegularExpressions;
using Cutover.EndToEnd.Tests.Support;

namespace Cutover.EndToEnd.Tests;

/// <summary>The README's first command: `cutover demo`, as a newcomer runs it (output redirected, so plain lines).</summary>
public sealed class DemoProcessTests
{
    /// <summary>
    /// Only catches a demo that is stuck: the walk takes well under a minute on a quiet machine, but 3 min was not
    /// enough at load 19 (CI beside three builds), where it had reached day 6 of 6 when it was stopped.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Demo_WalksThePlan_RollsBackAt35_Resumes_Completes_ProtectedDomainsUntouched()
    {
        var clock = Stopwatch.StartNew();
        var run = await CutoverProcess.RunAsync(AppContext.BaseDirectory, Budget, "demo");
        var elapsed = clock.Elapsed;

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
        Assert.True(elapsed < Budget, $"the demo took {elapsed}");
        Assert.DoesNotContain("\u001b[", run.Output, StringComparison.Ordinal); // not a terminal: no live view, no colour
        var lines = run.Output.Split('\n').Select(static l => l.TrimEnd('\r')).ToList();

        // One plain line per event, in the order of the story.
        var story = new[]
        {
            @"^day 1 00:00 +10%  rollout_start +demo: ",
            @"^day \d+ \d\d:\d\d +25%  rollout_step +system: step 1 of 6 \(10%\) soaked green; advancing to 25%$",
            @"^day \d+ \d\d:\d\d +35%  rollout_step +system: step 2 of 6 \(25%\) soaked green; advancing to 35%$",
            @"^day \d+ \d\d:\d\d +35%  fault +demo: a bad unified deploy",
            @"^day \d+ \d\d:\d\d +0%  rollback +system: critical at step 3 of 6 \(35%\): error_rate: unified failed \d+ of \d+ updates",
            @"^day \d+ \d\d:\d\d +0%  fix +demo: ",
            @"^day \d+ \d\d:\d\d +35%  rollout_resume +demo: ",
            @"^day \d+ \d\d:\d\d +50%  rollout_step +system: step 3 of 6 \(35%\) soaked green; advancing to 50%$",
            @"^day \d+ \d\d:\d\d +75%  rollout_step +system: step 4 of 6 \(50%\) soaked green; advancing to 75%$",
            @"^day \d+ \d\d:\d\d +100%  rollout_step +system: step 5 of 6 \(75%\) soaked green; advancing to 100%$",
            @"^day \d+ \d\d:\d\d +100%  rollout_complete +system: complete: step 6 of 6 \(100%\) soaked green$",
        };
        var at = -1;
        foreach (var pattern in story)
        {
            var next = lines.FindIndex(at + 1, l => Regex.IsMatch(l, pattern));
            Assert.True(next > at, $"no line matching {pattern} after line {at}:\n{run.Output}");
            at = next;
        }

        Assert.Single(lines, static l => Regex.IsMatch(l, @"^day \d+ \d\d:\d\d +\d+%  rollback "));

        // The summary: complete, protected domains never on unified, sticky users, and the rollback with its reason.
        Assert.Contains("Rollout complete: 100% of users on unified", run.Output);
        Assert.Contains("Protected domains (mobility, profile, insurance): 0 updates to unified.", run.Output);
        Assert.DoesNotContain(lines, static l => Regex.IsMatch(l, @"^│ (mobility|profile|insurance) +│ unified "));
        Assert.Matches(@"│ (mobility|profile|insurance) +│ legacy +│ +[\d,]+ │ +100\.0% │", run.Output);
        Assert.Contains(" 0 of them went back to legacy except by the rollback", run.Output);
        Assert.Contains("0 answered other than 200", run.Output);
        Assert.Matches(@"Rollback \(GET /admin/rollbacks\): day \d+ \d\d:\d\d, step 3 of 6 \(35%\): 35% → 0% by system, .* Reason: critical at step 3 of 6 \(35%\): error_rate", run.Output);

        // The audit trail has the rollback and the resume, by who did them.
        Assert.Matches(@"│ [\d-]+ [\d:]+Z +│ rollback +│ system +│", run.Output);
        Assert.Matches(@"│ [\d-]+ [\d:]+Z +│ rollout_resume +│ demo +│", run.Output);
    }

    [Fact]
    public async Task DemoDashboard_AfterThePlan_RouterStaysUpWithItsDashboard_StopsOnSigterm()
    {
        await using var demo = CutoverProcess.Start(AppContext.BaseDirectory, "demo", "--dashboard");
        await Cutover.Testing.Eventually.WaitAsync(() => demo.HasExited || demo.Output.Contains("Dashboard: http", StringComparison.Ordinal), Budget,
            "the dashboard's line");
        if (demo.HasExited)
        {
            Assert.Fail($"the demo exited before offering its dashboard ({demo.ExitCode}):\n{demo.Output}\n{demo.Error}");
        }

        var url = new Uri(Regex.Match(demo.Output, @"^Dashboard: (http://127\.0\.0\.1:\d+/dashboard) ", RegexOptions.Multiline).Groups[1].Value);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var page = await http.GetAsync(url, TestContext.Current.CancellationToken);
        var rollout = await http.GetStringAsync(new Uri(url, "/admin/rollout"), TestContext.Current.CancellationToken);
        var rollbacks = await http.GetStringAsync(new Uri(url, "/admin/rollbacks"), TestContext.Current.CancellationToken);
        await demo.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.True(page.Headers.Contains("Content-Security-Policy"));
        Assert.Contains("\"state\":\"complete\"", rollout);
        Assert.Contains("\"rolled_back_by\":\"system\"", rollbacks);
        Assert.True(demo.ExitCode == 0, $"exit {demo.ExitCode}\n{demo.Output}\n{demo.Error}");
    }

    [Fact]
    public async Task DemoQueued_OutagesAnsweredAtOnce_BacklogRisesAndDrains_DeadLettersReplayed_NothingLost()
    {
        var clock = Stopwatch.StartNew();
        var run = await CutoverProcess.RunAsync(AppContext.BaseDirectory, Budget, "demo", "--delivery", "queued");
        var elapsed = clock.Elapsed;

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
        Assert.True(elapsed < Budget, $"the demo took {elapsed}");
        Assert.DoesNotContain("\u001b[", run.Output, StringComparison.Ordinal);
        var lines = run.Output.Split('\n').Select(static l => l.TrimEnd('\r')).ToList();
        var text = string.Join('\n', lines);

        // The phases in the order of the story, each announced and then summed up.
        var at = -1;
        foreach (var phase in new[] { "normal", "unified down", "all down", "back", "drain", "replay" })
        {
            var begun = lines.FindIndex(at + 1, l => Regex.IsMatch(l, $@"^ *[\d.]+ s  phase +{phase}: "));
            Assert.True(begun > at, $"phase {phase} not announced after line {at}:\n{run.Output}");
            var ended = lines.FindIndex(begun + 1, l => Regex.IsMatch(l, $@"^ +end +{phase}: "));
            Assert.True(ended > begun, $"phase {phase} not summed up:\n{run.Output}");
            at = ended;
        }

        // Every POST acknowledged; the backlog rose while every handler was down and was empty before the replay and after it.
        Assert.Matches(@"Acknowledged: [\d,]+ POSTs carrying [\d,]+ updates; 0 answered other than 200\.", run.Output);
        var outage = Number(text, @"^ +end +all down: .*; backlog peak ([\d,]+), end [\d,]+;");
        Assert.True(outage > 0, $"no backlog with every handler down:\n{run.Output}");
        Assert.Equal(0, Number(text, @"^ +end +drain: .*; backlog peak [\d,]+, end ([\d,]+);"));
        Assert.Equal(0, Number(text, @"^ +end +replay: .*; backlog peak [\d,]+, end ([\d,]+); [\d,]+ delivered; 0 dead letters$"));

        // Some updates ran out of attempts; every one of them was replayed and received exactly once more.
        var dead = Number(text, @"^Dead letters: ([\d,]+) \(attempts_exhausted [\d,]+\), ([\d,]+) acknowledged updates not received before the replay\.$");
        Assert.True(dead > 0, $"no dead letters:\n{run.Output}");
        Assert.Equal(dead, Number(text, @"^Dead letters: [\d,]+ .*, ([\d,]+) acknowledged updates not received before the replay\.$"));
        Assert.Equal(dead, Number(text, @"^Replay \(POST /admin/dlq/replay as cutover dlq replay sends it, routed as usual, in the audit trail; reason: "".+""\): ([\d,]+) queued again, "));
        Assert.Equal(dead, Number(text, @"^Replay .*: [\d,]+ queued again, ([\d,]+) received by the handlers, backlog back to 0\.$"));

        // Nothing lost, counted at the handlers.
        var updates = Number(text, @"^Acknowledged: [\d,]+ POSTs carrying ([\d,]+) updates;");
        Assert.Contains($"Nothing lost: all {updates.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} updates acknowledged were received by a handler", run.Output);
    }

    /// <summary>The first group of the only line matching <paramref name="pattern"/>, a count with thousands separators.</summary>
    private static long Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"no line matching {pattern}:\n{output}");
        return long.Parse(match.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
    }
}
