using System.Net;
using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Core.Routing;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.Cli.Tests.Commands;

public sealed class SimulateCommandTests : CliTest
{
    [Fact]
    public async Task SimulateJson_CountsTheUsersThatWouldMove()
    {
        // arrange
        var (below, _) = await SendJobsTrafficAsync();

        // act
        var run = await CutoverAs(ReadToken, "simulate", "--percent", "25", "--json");

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(("24h", 25m), (json.GetProperty("window").GetString(), json.GetProperty("percent").GetDecimal()));
        var totals = json.GetProperty("totals");
        Assert.Equal((below, 0L), (totals.GetProperty("users_to_unified").GetInt64(), totals.GetProperty("users_to_legacy").GetInt64()));
        var jobs = json.GetProperty("domains").EnumerateArray().Single(static d => d.GetProperty("domain").GetString() == "jobs");
        Assert.Equal(below, jobs.GetProperty("unified_users_proposed").GetInt64());
    }

    [Fact]
    public async Task Simulate_Table_PerDomainAndTheSummaryLine()
    {
        var (below, _) = await SendJobsTrafficAsync();

        var run = await CutoverAs(ReadToken, "simulate", "--percent", "25%", "--domain", "jobs", "--window", "1h");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Simulation over the last 1h", run.Out);
        Assert.Contains("set 25.00% for jobs", run.Out);
        Assert.True(run.Out.Contains("0.00% → 25.00%", StringComparison.Ordinal), run.Out);
        Assert.Contains("all domains", run.Out);
        Assert.Contains($"{below} users would move legacy → unified, 0 back;", run.Out);
    }

    [Theory]
    [InlineData(new[] { "simulate" }, "give --percent PERCENT or --step N")]
    [InlineData(new[] { "simulate", "--percent", "101" }, "--percent: percent must be between 0 and 100")]
    [InlineData(new[] { "simulate", "--percent", "ten" }, "--percent: 'ten' is not a number")]
    [InlineData(new[] { "simulate", "--percent", "25", "--step", "2" }, "give --percent PERCENT or --step N")]
    [InlineData(new[] { "simulate", "--percent", "global" }, "--percent: 'global' only makes sense with --domain")]
    [InlineData(new[] { "simulate", "--percent", "25", "--window", "2y" }, "--window: '2y' has an unknown unit")]
    [InlineData(new[] { "simulate", "--step", "0" }, "--step: steps are numbered from 1")]
    public async Task Simulate_BadArguments_Exit64NamingThem(string[] args, string message)
    {
        var run = await Cutover(args);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task Simulate_ProtectedDomain_RefusedByTheServer_Exit1()
    {
        var run = await Cutover("simulate", "--percent", "25", "--domain", "mobility");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'domain': mobility is a protected domain", run.Error);
    }

    [Fact]
    public async Task Simulate_Help_HasExamples()
    {
        var run = await CliRun.InvokeAsync("simulate", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Examples:", run.Out);
        Assert.Contains("cutover simulate --percent 25", run.Out);
        Assert.Contains("--window", run.Out);
    }

    [Fact]
    public async Task Set_PrintsThePreviewFirst_AndTheUsersItNamesAreTheUsersThatMove()
    {
        // arrange
        var (below, users) = await SendJobsTrafficAsync();

        // act
        var run = await Cutover("set", "25", "--reason", "week 6: 25%");
        Upstreams.Clear();
        using (var again = await Router.PostWebhookAsync(WebhookBuilder.Of([.. users.Select(static u => Msg.Text(u, "any job?"))])))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith($"Preview (last 24h): {below} users would move legacy → unified, 0 back; ", lines[0]);
        Assert.EndsWith(" requests a day", lines[0]);
        Assert.StartsWith("Changed percent:", lines[1]);
        var unified = Upstreams.For("unified").Sum(static r => JsonDocument.Parse(r.Body).RootElement
            .GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value").GetProperty("messages").GetArrayLength());
        Assert.Equal(below, unified);
    }

    [Fact]
    public async Task SetJson_NoPreview_StdoutIsJustTheChange()
    {
        await SendJobsTrafficAsync();

        var run = await Cutover("set", "25", "--reason", "x", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Preview", run.Out);
        Assert.True(JsonDocument.Parse(run.Out).RootElement.GetProperty("changed").GetBoolean());
    }

    [Fact]
    public async Task Rollback_PrintsThePreviewOfUsersGoingBack()
    {
        var (below, _) = await SendJobsTrafficAsync(percent: 25);

        var run = await Cutover("rollback", "--reason", "unified p95 at 4 s");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"Preview (last 24h): 0 users would move legacy → unified, {below} back; ", run.Out);
        Assert.Contains("rollback:", run.Out);
    }

    [Fact]
    public async Task Set_SimulateFails_NoteOnStderrAndTheChangeStillHappens()
    {
        // arrange: the decision log table is gone, so the simulation fails; the routing state is elsewhere
        await using (var connection = new SqliteConnection($"Data Source={Router.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE webhook_routing_logs RENAME TO webhook_routing_logs_elsewhere;";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        // act
        var run = await Cutover("set", "25", "--reason", "x");

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("cutover: preview skipped (", run.Error);
        Assert.DoesNotContain("Preview", run.Out);
        Assert.Contains("percent 0.00% → 25.00%", run.Out);
    }

    /// <summary>200 users write about jobs at <paramref name="percent"/>; returns how many are below 25% and the users.</summary>
    private async Task<(long Below25, string[] Users)> SendJobsTrafficAsync(decimal percent = 0)
    {
        if (percent > 0)
        {
            Assert.Equal(0, (await Cutover("set", percent.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reason", "x", "--json")).ExitCode);
        }

        var bucketing = Router.Service<RouterTopology>().Bucketing;
        var users = Enumerable.Range(0, 200).Select(static i => $"2507{i * 7_919:D8}").ToArray();
        using (var response = await Router.PostWebhookAsync(WebhookBuilder.Of([.. users.Select(static u => Msg.Text(u, "a job please"))])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Router.WaitForDecisionsAsync(users.Length);
        return (users.Count(u => bucketing.BucketOf(u) < Bucketing.ThresholdOf(25)), users);
    }
}
