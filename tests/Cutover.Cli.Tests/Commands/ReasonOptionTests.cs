using System.Text.Json;
using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

/// <summary>--reason is held to the server's rule before anything is sent: a usage error (64) naming --reason.</summary>
public sealed class ReasonOptionTests : CliTest
{
    [Theory]
    [InlineData("set", "10")]
    [InlineData("disable")]
    [InlineData("override", "250788000001", "unified")]
    [InlineData("rollback", "--to", "0")]
    [InlineData("rollout", "start")]
    [InlineData("baseline", "capture")]
    public async Task Change_ReasonWithEscapeSequence_Usage64NamingReasonAndNothingChanged(params string[] verb)
    {
        var run = await Cutover([.. verb, "--reason", "\u001b]0;pwned\u0007 week 6"]);

        Assert.True(run.ExitCode == 64, run.ToString());
        Assert.Contains("--reason: the reason has a control character (U+001B) at position 1; write it on one line without control characters", run.Error);
        Assert.DoesNotContain('\u001b', run.Error);
        Assert.Empty(await EventsAsync());
    }

    [Theory]
    [InlineData("line one\r\nline two", "U+000D")]
    [InlineData("nul\0", "U+0000")]
    public async Task Set_ReasonWithLineBreakOrNul_Usage64(string reason, string named)
    {
        var run = await Cutover("set", "10", "--reason", reason);

        Assert.True(run.ExitCode == 64, run.ToString());
        Assert.Contains($"--reason: the reason has a control character ({named})", run.Error);
    }

    [Fact]
    public async Task Set_ReasonOverTheLimit_Usage64NamingTheLimit()
    {
        var run = await Cutover("set", "10", "--reason", new string('r', 1_001));

        Assert.True(run.ExitCode == 64, run.ToString());
        Assert.Contains("--reason: the reason is 1,001 characters long; the limit is 1,000", run.Error);
    }

    [Fact]
    public async Task Set_ReasonOfExactlyTheLimit_Accepted()
    {
        var reason = string.Concat(Enumerable.Repeat("abcdefghij", 100));

        var run = await Cutover("set", "10", "--reason", reason);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(reason, Assert.Single(await EventsAsync()).GetProperty("reason").GetString());
    }

    private async Task<List<JsonElement>> EventsAsync()
    {
        var history = await Cutover("history", "--json");
        return [.. JsonDocument.Parse(history.Out).RootElement.EnumerateArray()];
    }
}
