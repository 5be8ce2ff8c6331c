using System.Text.Json;
using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>cutover overrides</c> and <c>cutover rollbacks</c>: read-only lists of what the admin API serves.</summary>
public sealed class OverridesRollbacksCommandTests : CliTest
{
    [Fact]
    public async Task Overrides_Table_ListsEachWithRouteDomainWhoAndWhy()
    {
        await Cutover("override", "250788000099", "unified", "--domain", "jobs", "--reason", "QA phone");
        await Cutover("override", "250788000098", "none", "--domain", "property", "--reason", "misclassified, ticket 812");

        var run = await CutoverAs(ReadToken, "overrides");

        Assert.Equal(0, run.ExitCode);
        var rows = run.Out.Split('\n');
        var qa = Assert.Single(rows, static l => l.Contains("250788000099", StringComparison.Ordinal));
        Assert.Matches(@"250788000099\s*│ unified\s*│ jobs\s*│ alice\s*│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s*│ QA phone", qa);
        var pinned = Assert.Single(rows, static l => l.Contains("250788000098", StringComparison.Ordinal));
        Assert.Matches(@"250788000098\s*│ none\s*│ property\s*│ alice\s*│ .*│ misclassified, ticket 812", pinned);
        Assert.Contains("2 overrides.", run.Out);
    }

    [Fact]
    public async Task OverridesJson_IsTheApisJson()
    {
        await Cutover("override", "250788000099", "legacy", "--reason", "QA phone");
        using var api = await Router.AdminAsync(HttpMethod.Get, "admin/overrides", token: ReadToken);
        var expected = JsonDocument.Parse(await api.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        var run = await Cutover("overrides", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, json), run.Out);
        var o = Assert.Single(json.EnumerateArray());
        Assert.Equal("250788000099", o.GetProperty("user").GetString());
        Assert.Equal("legacy", o.GetProperty("route").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("domain").ValueKind);
    }

    [Fact]
    public async Task Overrides_None_SaysSo()
    {
        var run = await Cutover("overrides");
        var json = await Cutover("overrides", "--json");

        Assert.Equal((0, 0), (run.ExitCode, json.ExitCode));
        Assert.Contains("No overrides", run.Out);
        Assert.Equal(0, JsonDocument.Parse(json.Out).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Rollbacks_Table_ListsWhenFromToWhoAndWhy()
    {
        await Cutover("set", "20", "--reason", "start");
        var rollback = await Cutover("rollback", "--reason", "unified p95 at 4 s");

        var run = await CutoverAs(ReadToken, "rollbacks");

        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal(0, run.ExitCode);
        var row = Assert.Single(run.Out.Split('\n'), static l => l.Contains("unified p95 at 4 s", StringComparison.Ordinal));
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s*│ no rollout\s*│ all routable\s*│ 20\.00% → 0\.00%\s*│ alice\s*│ unified p95 at 4 s", row);
    }

    [Fact]
    public async Task RollbacksJson_IsTheApisJson_AndLimitIsPassed()
    {
        await Cutover("set", "20", "--reason", "start");
        await Cutover("rollback", "--to", "10", "--reason", "first");
        await Cutover("rollback", "--reason", "second");
        using var api = await Router.AdminAsync(HttpMethod.Get, "admin/rollbacks", token: ReadToken);
        var expected = JsonDocument.Parse(await api.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        var all = await Cutover("rollbacks", "--json");
        var one = await Cutover("rollbacks", "--limit", "1", "--json");

        Assert.Equal((0, 0), (all.ExitCode, one.ExitCode));
        var json = JsonDocument.Parse(all.Out).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, json), all.Out);
        Assert.Equal(2, json.GetArrayLength());
        var newest = Assert.Single(JsonDocument.Parse(one.Out).RootElement.EnumerateArray());
        Assert.Equal("second", newest.GetProperty("reason").GetString());
        Assert.Equal(10m, newest.GetProperty("from_percent").GetDecimal());
        Assert.Equal(0m, newest.GetProperty("to_percent").GetDecimal());
        Assert.Equal("alice", newest.GetProperty("rolled_back_by").GetString());
        Assert.Equal(JsonValueKind.Object, newest.GetProperty("metrics").ValueKind);
    }

    [Fact]
    public async Task Rollbacks_None_SaysSo()
    {
        var run = await Cutover("rollbacks");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("No rollbacks recorded.", run.Out);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    public async Task Rollbacks_BadLimit_Usage64NamingIt(string limit)
    {
        var run = await Cutover("rollbacks", "--limit", limit);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--limit must be from 1 to 10000", run.Error);
    }
}
