using System.Globalization;
using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Server.Contracts;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

public sealed class ReportCommandTests : CliTest
{
    private static readonly string[] Texts = ["a job please", "apartment for rent", "sell my phone", "need a moto ride", "hello"];

    [Fact]
    public async Task Report_Markdown_NumbersMatchAdminStats_AndTheRolloutStartIsAnAction()
    {
        // arrange: a rollout at 10%, unified naming agent-x and failing its first POSTs (so some fall back), traffic over every domain
        var start = await Cutover("rollout", "start", "--reason", "week 6 | go *now*");
        Assert.Equal(0, start.ExitCode);
        await PostTrafficAsync(300, unifiedFailuresFirst: 20);

        // act
        var run = await CutoverAs(ReadToken, "report", "--window", "1h");

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var md = run.Out;
        var traffic = Section(md, "Traffic");
        Assert.StartsWith("# Cutover report: last 1h\n", md, StringComparison.Ordinal);
        Assert.Equal(["## Rollout", "## Traffic", "## Handlers", "## Health", "## Actions", "## Standup"],
            md.Split('\n').Where(static l => l.StartsWith("## ", StringComparison.Ordinal)));

        var stats = await AdminAsync("admin/stats?window=1h", ServerJson.Default.StatsResponse);
        Assert.Contains(stats.Routes, static r => r.RoutedTo == "unified" && r.FallbackCount > 0);
        foreach (var r in stats.Routes)
        {
            Assert.Equal(
                [r.Domain, r.RoutedTo, N0(r.RequestCount), Pct(r.SharePct), Ms(r.AvgResponseMs), Ms(r.P95Ms), N0(r.ErrorCount), Pct(r.ErrorRatePct), N0(r.FallbackCount)],
                MarkdownTable.Row(traffic, r.Domain, r.RoutedTo));
        }

        var unified = stats.Totals.Unified;
        Assert.Equal(N0(unified.RequestCount), MarkdownTable.Row(traffic, "unified", N0(unified.RequestCount))[1]);
        var agent = Assert.Single(stats.Handlers, static h => h.Handler == "agent-x");
        Assert.Equal(
            ["agent-x", "unified", N0(agent.Invocations), Ms(agent.AvgResponseMs), Ms(agent.P95Ms), N0(agent.Failures), Pct(agent.FailureRatePct)],
            MarkdownTable.Row(Section(md, "Handlers"), "agent-x", "unified"));

        var health = await AdminAsync("admin/health", ServerJson.Default.HealthResponse);
        Assert.Contains($"- **Overall:** {health.State} at ", md);
        foreach (var check in health.Checks.Where(static c => c.State != "ok"))
        {
            Assert.Contains($"- **{check.Name}** ({check.State}", md);
        }

        // The operator's reason went through the server and back: escaped, the row keeps its five cells.
        var action = MarkdownTable.Rows(md).Single(static r => r.Length > 1 && r[1] == "rollout_start");
        Assert.Equal(["rollout_start", "alice", "week 6 \\| go \\*now\\*"], [action[1], action[2], action[4]]);
        Assert.Contains(MarkdownTable.Rows(Section(md, "Actions")), static r => r.Length > 4 && r[1] == "percent" && r[2] == "alice");

        Assert.Contains("- **State:** soaking\n", md);
        Assert.Contains("- **Step:** 1 of 6\n", md);
        Assert.Contains($"- **Migration status:** 10.00% of routable users on unified (rollout soaking, step 1 of 6); unified handled {N0(unified.RequestCount)} of 300 updates", md);
        Assert.Contains("no rollback; next: ", md);
        Assert.Contains("- **Risk level:** ", md);
    }

    [Fact]
    public async Task Report_Text_AfterARollback_IsPlainAndCallsTheRiskHigh()
    {
        await Cutover("rollout", "start", "--reason", "week 6");
        await PostTrafficAsync(60, unifiedFailuresFirst: 0);
        await Cutover("rollback", "--to", "0", "--reason", "unified p95 at 4 s");

        var run = await CutoverAs(ReadToken, "report", "--format", "text", "-w", "2h");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("Cutover report: last 2h\n=======================\nWindow ", run.Out, StringComparison.Ordinal);
        foreach (var section in (string[])["Rollout", "Traffic", "Handlers", "Health", "Actions", "Standup"])
        {
            Assert.Contains($"\n{section}\n{new string('-', section.Length)}\n", run.Out);
        }

        Assert.DoesNotContain("|", run.Out);
        Assert.DoesNotContain("**", run.Out);
        Assert.Contains("State:               halted\n", run.Out);
        Assert.Contains("Risk level:        High (", run.Out);
        Assert.Contains("rollback at ", run.Out);
        Assert.Contains("unified p95 at 4 s", run.Out);
        var total = (await AdminAsync("admin/stats?window=2h", ServerJson.Default.StatsResponse)).Totals;
        Assert.Contains($"of {N0(total.Unified.RequestCount + total.Legacy.RequestCount)} updates", run.Out);
    }

    [Theory]
    [InlineData("--window", "3w", "--window: '3w' has an unknown unit")]
    [InlineData("--window", "91d", "--window: '91d' is outside 1m to 90d")]
    [InlineData("--format", "html", "--format: 'html' is not md or text")]
    [InlineData("--json", null, "--json: report writes Markdown or text")]
    public async Task Report_BadOption_Exit64NamingIt(string option, string? value, string problem)
    {
        var run = await Cutover(value is null ? ["report", option] : ["report", option, value]);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(problem, run.Error);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Report_ServerUnreachable_Exit69NamingTheUrl()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/";

        var run = await CliRun.InvokeAsync("report", "--url", url);

        Assert.Equal(69, run.ExitCode);
        Assert.Contains($"cannot reach Cutover at {url}", run.Error);
    }

    /// <summary>One "## name" section of a Markdown report, up to the next.</summary>
    private static string Section(string md, string name)
    {
        var start = md.IndexOf($"\n## {name}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {name}");
        var end = md.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? md[start..] : md[start..end];
    }

    private async Task PostTrafficAsync(int count, int unifiedFailuresFirst)
    {
        Upstreams.HandledBy("unified", "agent-x");
        Upstreams.Respond("unified", unifiedFailuresFirst > 0 ? 503 : 200);
        for (var i = 0; i < count; i++)
        {
            if (i == unifiedFailuresFirst)
            {
                Upstreams.Respond("unified", 200);
            }

            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507880{i % 150:D5}", Texts[i % Texts.Length])));
        }

        await Router.WaitForDecisionsAsync(count);
    }

    private async Task<T> AdminAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, path, token: ReadToken);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), type)!;
    }

    private static string N0(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Pct(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
