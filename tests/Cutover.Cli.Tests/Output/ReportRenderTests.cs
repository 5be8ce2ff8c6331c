using System.Text.Json;
using Cutover.Cli.Output;
using Cutover.Cli.Tests.Support;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Tests.Output;

public sealed class ReportRenderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset From = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Markdown_HasTheSectionsInOrder_WithTheWindowAndGenerationTime()
    {
        var md = ReportRender.Write(Input(), ReportFormat.Markdown);

        var lines = md.Split('\n');
        Assert.Equal("# Cutover report: last 24h", lines[0]);
        Assert.Contains("Window 2026-11-25 09:00:00Z → 2026-11-26 09:00:30Z · generated 2026-11-26 09:00:30Z", md);
        var headings = lines.Where(static l => l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["## Rollout", "## Traffic", "## Handlers", "## Health", "## Actions", "## Standup"], headings);
    }

    [Fact]
    public void Markdown_Tables_CarryTheStatsFormattedInvariantly()
    {
        var md = ReportRender.Write(Input(), ReportFormat.Markdown);

        Assert.Equal(["jobs", "unified", "12,345", "25.10%", "38.4", "402.0", "10", "0.08%", "4"], MarkdownTable.Row(md, "jobs", "unified"));
        Assert.Equal(["mobility", "legacy", "5,000", "100.00%", "30.0", "-", "0", "0.00%", "0"], MarkdownTable.Row(md, "mobility", "legacy"));
        Assert.Equal(["unified", "12,345", "20.06%", "38.4", "402.0", "10", "0.08%", "99.92%", "4"], MarkdownTable.Row(md, "unified", "12,345"));
        Assert.Equal(["agent-x", "unified", "1,000", "40.5", "120.3", "2", "0.20%"], MarkdownTable.Row(md, "agent-x"));
        // Every row of a table has as many cells as its header.
        foreach (var table in md.Split("\n\n").Where(static b => b.StartsWith('|')))
        {
            var rows = MarkdownTable.Rows(table);
            Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
            Assert.Matches(@"^\|(-+:?\|)+$", table.Split('\n')[1]);
        }
    }

    [Fact]
    public void Markdown_RolloutHealthAndStandup_AreFilledFromTheResponses()
    {
        var md = ReportRender.Write(Input(), ReportFormat.Markdown);

        Assert.Contains("- **State:** soaking\n", md);
        Assert.Contains("- **Step:** 2 of 6\n", md);
        Assert.Contains("- **Percent:** 25.00%\n", md);
        Assert.Contains("- **Soak:** 1 h 0 min left, 900 unified requests at this step (it needs 1,000)\n", md);
        Assert.Contains("- **Next:** waits: 1 h 0 min of soak left; then 'cutover rollout promote' to 35%\n", md);
        Assert.Contains("- **Always legacy:** default (not routable), mobility (protected)\n", md);
        Assert.Contains("- **Overall:** warn at 2026-11-26 09:00:29Z", md);
        Assert.Contains("- **error_rate** (warn; value 0.12, threshold 0.1): unified failed 10 of 12,345 updates", md);
        Assert.Contains("- **split** (insufficient_data; value 0): needs 100 more routable requests since the last change\n", md);
        Assert.DoesNotContain("**p95**", md); // an ok check is no issue
        Assert.Contains("Passing: p95.", md);
        Assert.Contains("- **Migration status:** 25.00% of routable users on unified (rollout soaking, step 2 of 6); "
            + "unified handled 12,345 of 61,538 updates (20.06%) in the last 24h, 21.83% of the routable domains' 56,538\n", md);
        Assert.Contains("- **Key metrics:** unified p95 402.0 ms, avg 38.4 ms, 0.08% errors (10 of 12,345); legacy p95 70.0 ms, avg 31.0 ms, 0.04% errors\n", md);
        Assert.Contains("- **Issues:** error_rate (warn), split (insufficient_data)\n", md);
        Assert.Contains("- **Actions:** 2 changes (rollout_promote, percent); no rollback; next: waits", md);
        Assert.Contains("- **Risk level:** 🟡 Medium (health warn)\n", md);
    }

    [Fact]
    public void Actions_OnlyTheWindow_OldestFirst()
    {
        var md = ReportRender.Write(Input(), ReportFormat.Markdown);

        var actions = md[md.IndexOf("## Actions", StringComparison.Ordinal)..md.IndexOf("## Standup", StringComparison.Ordinal)];
        var rows = MarkdownTable.Rows(actions).Skip(2).ToList();
        Assert.Equal(["2026-11-25 13:00:00Z", "rollout_promote", "alice", "status awaiting_promotion → soaking, step 1 → 2, percent 10.00% → 25.00%", "soak green"], rows[0]);
        Assert.Equal("percent", rows[1][1]);
        Assert.Equal(2, rows.Count); // the event before the window is left out
    }

    [Fact]
    public void Markdown_ServerText_IsEscaped_NotMarkup()
    {
        var input = Input() with
        {
            Events = [Event(1, From.AddHours(1), "percent", "eve|<b>", "fix | now\nrow *two* [x](http://evil) `code` ~~s~~ &amp; __b__")],
        };

        var md = ReportRender.Write(input, ReportFormat.Markdown);

        var row = MarkdownTable.Row(md, "2026-11-25 10:00:00Z");
        Assert.Equal(5, row.Length);
        Assert.Equal("eve\\|\\<b>", row[2]);
        Assert.Equal("fix \\| now row \\*two\\* \\[x\\](http://evil) \\`code\\` \\~\\~s\\~\\~ \\&amp; \\_\\_b\\_\\_", row[4]);
        Assert.DoesNotContain("now\nrow", md);
    }

    [Theory]
    [InlineData("plain words 1.5%", "plain words 1.5%")]
    [InlineData("error_rate", "error_rate")]
    [InlineData("_lead and tail_", "\\_lead and tail\\_")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("line\r\nbreak\nand\ttab", "line break and tab")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("R&D &lt; &#124; AT&T;", "R&D \\&lt; \\&#124; AT\\&T;")]
    [InlineData("<script>", "\\<script>")]
    public void EscapeMarkdown_LeavesWordsAloneAndDisarmsMarkup(string text, string expected)
    {
        Assert.Equal(expected, ReportWriter.EscapeMarkdown(text));
    }

    [Fact]
    public void Text_SameContent_AlignedAndWithoutMarkdown()
    {
        var text = ReportRender.Write(Input(), ReportFormat.Text);

        Assert.StartsWith("Cutover report: last 24h\n========================\n", text, StringComparison.Ordinal);
        foreach (var section in (string[])["Rollout", "Traffic", "Handlers", "Health", "Actions", "Standup"])
        {
            Assert.Contains($"\n{section}\n{new string('-', section.Length)}\n", text);
        }

        Assert.DoesNotContain("|", text);
        Assert.DoesNotContain("**", text);
        Assert.DoesNotContain("## ", text);
        Assert.DoesNotContain("🟡", text);
        Assert.Contains("Risk level:        Medium (health warn)", text);
        Assert.Contains("- error_rate (warn; value 0.12, threshold 0.1): unified failed", text);

        // The numbers of a table end in the same column: right-aligned under their header.
        var lines = text.Split('\n');
        var header = Array.FindIndex(lines, static l => l.StartsWith("Domain ", StringComparison.Ordinal));
        var end = lines[header].IndexOf("Requests", StringComparison.Ordinal) + "Requests".Length;
        Assert.Equal("12,345", lines[header + 2][(end - 6)..end]);
        Assert.Equal(" 5,000", lines[header + 4][(end - 6)..end]);
    }

    [Fact]
    public void Text_ServerText_StaysOnItsLine()
    {
        var input = Input() with { Events = [Event(1, From.AddHours(1), "percent", "eve", "two\nlines")] };

        var text = ReportRender.Write(input, ReportFormat.Text);

        Assert.Contains("two lines", text);
        Assert.DoesNotContain("two\nlines", text);
    }

    [Theory]
    [InlineData("ok", "soaking", null, "🟢 Low (health ok)")]
    [InlineData("insufficient_data", "soaking", null, "🟡 Medium (health insufficient_data)")]
    [InlineData("critical", "soaking", null, "🔴 High (health critical)")]
    [InlineData("ok", "halted", null, "🔴 High (rollout halted)")]
    [InlineData("ok", "halted", "rollback", "🔴 High (a rollback in the window)")]
    public void Standup_RiskLevel_FollowsHealthRolloutAndRollbacks(string health, string rollout, string? kind, string expected)
    {
        var input = Input() with
        {
            Health = new HealthResponse(health, Now, []),
            Rollout = Input().Rollout with { State = rollout },
            Events = kind is null ? [] : [Event(9, From.AddHours(2), kind, "rollout", "error_rate critical")],
        };

        var md = ReportRender.Write(input, ReportFormat.Markdown);

        Assert.Contains($"- **Risk level:** {expected}\n", md);
        Assert.Contains(kind is null ? "no rollback" : "rollback at 2026-11-25 11:00:00Z by rollout", md);
    }

    [Fact]
    public void NoTraffic_SaysSoInsteadOfEmptyTables()
    {
        var empty = Route("all", "unified", 0, null, null, 0, 0, 0, 0);
        var input = Input() with
        {
            Stats = new StatsResponse("1h", From, Now, [], [], new StatsTotals(empty, empty with { RoutedTo = "legacy" })),
            Events = [],
        };

        var md = ReportRender.Write(input, ReportFormat.Markdown);

        Assert.Contains("No updates in this window.", md);
        Assert.Contains("No handler named itself in this window", md);
        Assert.Contains("No changes in this window.", md);
        Assert.Contains("- **Key metrics:** no unified traffic\n", md);
        Assert.Empty(MarkdownTable.Rows(md));
    }

    private static ReportInput Input()
    {
        RouteStatsView[] routes =
        [
            Route("jobs", "unified", 12_345, 38.44, 402, 10, 0.081, 4, 25.1),
            Route("jobs", "legacy", 44_193, 31, 70, 22, 0.05, 0, 74.9),
            Route("mobility", "legacy", 5_000, 30, null, 0, 0, 0, 100),
        ];
        var stats = new StatsResponse("24h", From, Now, routes,
            [new HandlerStatsView("agent-x", "unified", 1_000, 40.49, 120.26, 2, 0.2, Now)],
            new StatsTotals(
                Route("all", "unified", 12_345, 38.44, 402, 10, 0.081, 4, 20.06),
                Route("all", "legacy", 49_193, 31, 70, 22, 0.0447, 0, 79.94)));
        var health = new HealthResponse("warn", Now.AddSeconds(-1),
        [
            new HealthCheckView("error_rate", "warn", 0.12, 0.1, "unified failed 10 of 12,345 updates (0.12%, above the warning 0.1%)"),
            new HealthCheckView("p95", "ok", 402, 2000, "unified p95 is 402 ms, within 2000 ms"),
            new HealthCheckView("split", "insufficient_data", 0, null, "needs 100 more routable requests since the last change"),
        ]);
        var rollout = new RolloutStatusResponse("soaking", 2, 6, 25m, "manual", null, false, From, From.AddHours(4), 3600, 900, 1000, null,
            "waits: 1 h 0 min of soak left; then 'cutover rollout promote' to 35%", [], []);
        var status = new StatusResponse(true, 25m, 7, From, new Dictionary<string, DomainStatus>
        {
            ["default"] = new(0m, null, false, false, "default"),
            ["jobs"] = new(25m, null, true, false, "jobs"),
            ["mobility"] = new(0m, null, false, true, "mobility"),
        }, 0, new DecisionLogStatus(0, 10_000, 1, 0, 0), new StoreStatus("sqlite", "x.db"), "direct", "hashed", From, "0.1.0");
        HistoryEvent[] events =
        [
            Event(3, From.AddHours(5), "percent", "rollout", "rollout step 2 is 25%", """{"percent":10}""", """{"percent":25}"""),
            Event(2, From.AddHours(4), "rollout_promote", "alice", "soak green",
                """{"status":"awaiting_promotion","step":1,"percent":10}""", """{"status":"soaking","step":2,"percent":25}"""),
            Event(1, From.AddMinutes(-5), "percent", "alice", "before the window", """{"percent":0}""", """{"percent":10}"""),
        ];
        return new ReportInput(stats, health, events, rollout, status, Now);
    }

    private static RouteStatsView Route(
        string domain, string route, long requests, double? avg, double? p95, long errors, double errorRate, long fallbacks, double share) =>
        new(domain, route, requests, avg, avg, p95, p95, errors, errorRate, fallbacks, share, Now);

    private static HistoryEvent Event(long id, DateTimeOffset at, string kind, string actor, string reason,
        string before = """{"percent":0}""", string after = """{"percent":1}""") =>
        new(id, at, kind, actor, reason, JsonDocument.Parse(before).RootElement, JsonDocument.Parse(after).RootElement);
}
