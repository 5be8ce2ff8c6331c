using System.Reflection;
using System.Text.Json;
using Cutover.Cli.Commands;
using Cutover.Cli.Tests.Support;
using Cutover.Core.Routing;
using Cutover.Server.Rollout;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>history --kind</c> takes only the kinds the server records; <c>--since</c> takes a time or a duration ago.</summary>
public sealed class HistoryCommandTests : CliTest
{
    [Theory]
    [InlineData("percnt", "did you mean 'percent'? ")]
    [InlineData("rollout-start", "did you mean 'rollout_start'? ")]
    [InlineData("everything", "")]
    public async Task History_UnknownKind_Usage64ListingTheKinds(string kind, string guess)
    {
        var run = await Cutover("history", "--kind", kind);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains($"cutover: --kind: '{kind}' is not a kind of event; {guess}the kinds are percent, enable, disable, routable, override, override_clear, rollout_start,", run.Error);
        Assert.Contains("rollback, unified_critical, dlq_replay, dlq_purge", run.Error);
        Assert.DoesNotContain("No changes recorded yet", run.Out);
    }

    [Fact]
    public void HistoryKinds_HasEveryKindTheServerRecords()
    {
        var recorded = new[] { typeof(AuditKinds), typeof(RolloutEventKinds) }
            .SelectMany(static t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(static f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(static f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.NotEmpty(recorded);
        Assert.Equal(recorded.Order(StringComparer.Ordinal), HistoryKinds.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task History_KnownKindWithNoEvents_StillShowsNothingYet()
    {
        var run = await Cutover("history", "--kind", "unified_critical");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("No changes recorded yet.", run.Out);
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("30m")]
    [InlineData("2d")]
    public async Task History_SinceADuration_MeansThatLongAgo(string since)
    {
        await Cutover("set", "10", "--reason", "history since test");

        var json = await Cutover("history", "--since", since, "--json");
        var table = await Cutover("history", "--since", since);

        Assert.Equal((0, 0), (json.ExitCode, table.ExitCode));
        Assert.Contains(JsonDocument.Parse(json.Out).RootElement.EnumerateArray(), static e => e.GetProperty("reason").GetString() == "history since test");
        Assert.Contains("history since test", table.Out);
    }

    [Theory]
    [InlineData("yesterday", "--since: 'yesterday' is neither a time such as 2026-11-25T09:00:00Z nor a window back from now")]
    [InlineData("2y", "--since: '2y' has an unknown unit")]
    [InlineData("91d", "--since: '91d' is outside 1m to 90d")]
    public async Task History_SinceNeitherTimeNorDuration_Usage64NamingIt(string since, string message)
    {
        var run = await Cutover("history", "--since", since);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains($"cutover: {message}", run.Error);
        Assert.Contains("Run 'cutover history --help' for usage.", run.Error);
    }
}
