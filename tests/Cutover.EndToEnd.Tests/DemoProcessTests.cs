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
}
