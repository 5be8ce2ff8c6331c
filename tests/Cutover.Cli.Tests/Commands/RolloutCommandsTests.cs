using System.Text.Json;
using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

public sealed class RolloutCommandsTests : CliTest
{
    [Fact]
    public async Task Plan_ShowsTheRunbooksStepsByDefault()
    {
        var run = await Cutover("rollout", "plan", "--json");

        Assert.Equal(0, run.ExitCode);
        var plan = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("manual", plan.GetProperty("mode").GetString());
        Assert.Equal([10m, 25m, 35m, 50m, 75m, 100m], plan.GetProperty("steps").EnumerateArray().Select(static s => s.GetProperty("percent").GetDecimal()));
        Assert.Equal("5.14:00:00", plan.GetProperty("shortest_duration").GetString()); // 134 h
    }

    [Fact]
    public async Task Plan_Table_ReadsTheDurationsInHoursAndDays()
    {
        var run = await Cutover("rollout", "plan");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("looks every 30 s · at least 134 h (5 d 14 h) end to end", run.Out);
        Assert.Contains("│ 48 h (2 d) │", run.Out);
        Assert.Matches(@"│ +4 h │", run.Out);
        Assert.DoesNotContain("5.14:00:00", run.Out);
        Assert.DoesNotContain("04:00:00", run.Out);
    }

    [Fact]
    public async Task StartThenStatus_SoakingAtTheFirstStep_AndHistoryHasTheStart()
    {
        var start = await Cutover("rollout", "start", "--reason", "week 6");
        var status = await Cutover("rollout", "status", "--json");
        var table = await CutoverAs(ReadToken, "rollout", "status");
        var history = await Cutover("history", "--json");

        Assert.Equal(0, start.ExitCode);
        Assert.Contains("rollout_start", start.Out);
        Assert.Contains("Rollout soaking at step 1 of 6, 10.00%", start.Out);
        var json = JsonDocument.Parse(status.Out).RootElement;
        Assert.Equal(("soaking", 1, 10m), (json.GetProperty("state").GetString(), json.GetProperty("step").GetInt32(), json.GetProperty("percent").GetDecimal()));
        Assert.Contains("Soak: 3 h 59 min left", table.Out);
        Assert.Contains("waits for 'cutover rollout promote'", table.Out); // the console wraps the rest
        var kinds = JsonDocument.Parse(history.Out).RootElement.EnumerateArray().Select(static e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["rollout_start", "percent"], kinds.Take(2));
    }

    [Fact]
    public async Task Promote_Accept_SendsTheGatesRepeatedOrCommaSeparated_AndAnUnknownOneIsRefusedNamingTheGates()
    {
        await Cutover("rollout", "start", "--reason", "week 6");

        var unknown = await Cutover("rollout", "promote", "--accept", "split,spilt", "--reason", "typo");
        var soaking = await Cutover("rollout", "promote", "--accept", "split", "--accept", "p95", "--reason", "too early");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'spilt' is not a gate; the gates are error_rate, p95,", unknown.Error);
        Assert.Equal(1, soaking.ExitCode);
        Assert.Contains("step 1 is still soaking", soaking.Error);
    }

    [Fact]
    public async Task Rollback_DuringARollout_HaltsAtThePercentAndIsListed()
    {
        await Cutover("rollout", "start", "--reason", "week 6");

        var rollback = await Cutover("rollback", "--to", "0", "--reason", "unified p95 at 4 s");
        var status = await Cutover("rollout", "status", "--json");
        var promote = await Cutover("rollout", "promote", "--reason", "too early");

        Assert.Equal(0, rollback.ExitCode);
        Assert.Contains("rollback:", rollback.Out);
        Assert.Equal("halted", JsonDocument.Parse(status.Out).RootElement.GetProperty("state").GetString());
        Assert.Equal(1, promote.ExitCode);
        Assert.Contains("halted", promote.Error);
        using var rollbacks = await Router.AdminAsync(HttpMethod.Get, "admin/rollbacks", token: ReadToken);
        var row = JsonDocument.Parse(await rollbacks.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement[0];
        Assert.Equal(("alice", 10m, 0m), (row.GetProperty("rolled_back_by").GetString(), row.GetProperty("from_percent").GetDecimal(), row.GetProperty("to_percent").GetDecimal()));
        Assert.Equal(JsonValueKind.Object, row.GetProperty("metrics").ValueKind);
    }

    [Fact]
    public async Task Rollback_WhenAlreadyHaltedAtZero_SaysNothingToRollBack_ExitsZero_RecordsNothing()
    {
        await Cutover("rollout", "start", "--reason", "week 6");
        await Cutover("rollback", "--reason", "unified p95 at 4 s");

        var again = await Cutover("rollback", "--reason", "pressed twice");
        using var rollbacks = await Router.AdminAsync(HttpMethod.Get, "admin/rollbacks", token: ReadToken);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Nothing to roll back: routing is at 0% already and no rollout is running; nothing was recorded.", again.Out);
        Assert.DoesNotContain("rollback:", again.Out);
        Assert.Equal(1, JsonDocument.Parse(await rollbacks.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Rollback_WithAUserPinnedToUnified_SaysHowManyAndHow_AndIncludeOverridesClearsThem()
    {
        await Cutover("set", "40", "--reason", "by hand");
        await Cutover("override", "250788000099", "unified", "--reason", "QA phone");

        var kept = await Cutover("rollback", "--reason", "unified p95 at 4 s");
        var cleared = await Cutover("rollback", "--include-overrides", "--reason", "QA phones off unified too");
        using var overrides = await Router.AdminAsync(HttpMethod.Get, "admin/overrides", token: ReadToken);

        Assert.True(kept.ExitCode == 0, kept.Error);
        Assert.Contains("1 user stays on unified by an override: 'cutover override USER clear --reason R' clears it, or roll back with --include-overrides.", kept.Out);
        Assert.True(cleared.ExitCode == 0, cleared.Error);
        Assert.Contains("override_clear:", cleared.Out);
        Assert.DoesNotContain("stays on unified", cleared.Out);
        Assert.Equal(0, JsonDocument.Parse(await overrides.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task SetRoutableOff_WhileARolloutRuns_TakesTheDomainOut()
    {
        await Cutover("rollout", "start", "--reason", "week 6");

        var off = await Cutover("set", "--domain", "property", "--routable", "off", "--reason", "property handler incident");
        var routing = await Cutover("status", "--json");
        var noPercent = await Cutover("set", "--reason", "nothing to set");

        Assert.True(off.ExitCode == 0, off.Error);
        var property = JsonDocument.Parse(routing.Out).RootElement.GetProperty("domains").GetProperty("property");
        Assert.False(property.GetProperty("routable").GetBoolean());
        Assert.Equal(64, noPercent.ExitCode);
        Assert.Contains("PERCENT is required", noPercent.Error);
    }

    [Theory]
    [InlineData("rollout", "start")]
    [InlineData("rollback")]
    public async Task Changes_WithoutReason_Exit64(params string[] args)
    {
        var run = await Cutover(args);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--reason", run.Error);
    }

    [Fact]
    public async Task Rollback_BadPercent_Exit64NamingIt()
    {
        var run = await Cutover("rollback", "--to", "120", "--reason", "x");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--to: '120' is not a percent", run.Error);
    }

    [Fact]
    public async Task RolloutCommands_ReadToken_Refused77_Once()
    {
        var run = await CutoverAs(ReadToken, "rollout", "start", "--reason", "x");

        Assert.Equal(77, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task RefusedCommands_TheirRefusalPrintedOnce()
    {
        await Cutover("rollout", "start", "--reason", "week 6");

        var again = await Cutover("rollout", "start", "--reason", "again");
        var up = await Cutover("rollback", "--to", "50", "--reason", "up");

        Assert.Equal((1, "cutover: a rollout is already soaking at 10%; abort it or roll it back first\n"), (again.ExitCode, again.Error.ReplaceLineEndings("\n")));
        Assert.Equal((1, "cutover: a rollback goes down: 10% now, so 50% would raise it (use set, or rollout resume after a halt)\n"),
            (up.ExitCode, up.Error.ReplaceLineEndings("\n")));
    }
}
