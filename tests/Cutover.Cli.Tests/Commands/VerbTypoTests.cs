using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

/// <summary>A mistyped verb or subcommand: exit 64 with the nearest known one, when it is close.</summary>
public sealed class VerbTypoTests
{
    [Theory]
    [InlineData("'stauts' is not a cutover verb; did you mean 'status'?", "stauts")]
    [InlineData("'rolout' is not a cutover verb; did you mean 'rollout'?", "rolout", "plan")]
    [InlineData("'rollbak' is not a cutover verb; did you mean 'rollback'?", "rollbak", "--reason", "x")]
    [InlineData("'overide' is not a cutover verb; did you mean 'override'?", "overide", "250788000001", "unified")]
    [InlineData("'Status' is not a cutover verb; did you mean 'status'?", "Status")]
    public async Task MistypedVerb_Usage64_DidYouMean(string message, params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(64, run.ExitCode);
        Assert.Equal($"cutover: {message}\nRun 'cutover --help' for usage.\n", run.Error.ReplaceLineEndings("\n"));
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("rollout", "promte", "promote")]
    [InlineData("rollout", "stauts", "status")]
    [InlineData("dlq", "lsit", "list")]
    [InlineData("baseline", "captur", "capture")]
    public async Task MistypedSubcommand_Usage64_DidYouMeanWithTheVerb(string verb, string typo, string meant)
    {
        var run = await CliRun.InvokeAsync(verb, typo, "--reason", "x");

        Assert.Equal(64, run.ExitCode);
        Assert.Equal(
            $"cutover: '{typo}' is not a 'cutover {verb}' command; did you mean '{meant}'?\nRun 'cutover {verb} --help' for usage.\n",
            run.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("xyz")]
    [InlineData("rollout", "launch")]
    public async Task FarFromEveryVerb_Usage64_NoGuess(params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains($"Unrecognized command or argument '{args[^1]}'", run.Error);
        Assert.DoesNotContain("did you mean", run.Error);
    }

    [Fact]
    public void Find_EquallyNear_NamesEach_InOrder()
    {
        Assert.Equal(["set", "sit"], NearestNames.Find("sat", ["sit", "set", "status"]));
        Assert.Equal("did you mean 'set' or 'sit'?", NearestNames.DidYouMean(["set", "sit"]));
    }

    [Fact]
    public void Find_EquallyManyEdits_TheSameLengthWins()
    {
        // one edit from each: a swap (same length) beats a missing letter
        Assert.Equal(["status"], NearestNames.Find("stauts", ["stats", "status"]));
        Assert.Equal(["rollback"], NearestNames.Find("rollbacs", ["rollback", "rollbacks"]));
    }

    [Theory]
    [InlineData("stauts", "status", 1)]
    [InlineData("status", "status", 0)]
    [InlineData("promte", "promote", 1)]
    [InlineData("rolout", "rollout", 1)]
    [InlineData("sat", "set", 1)]
    [InlineData("abc", "cba", 2)]
    [InlineData("", "set", 3)]
    public void Distance_CountsSwappedNeighboursAsOneEdit(string a, string b, int expected)
    {
        Assert.Equal(expected, NearestNames.Distance(a, b));
        Assert.Equal(expected, NearestNames.Distance(b, a));
    }

    [Theory]
    [InlineData("sat", "set")]
    [InlineData("stats", null)] // a known name is no typo
    [InlineData("sxx", null)] // two edits in a short word: no guess
    [InlineData("histroy", "history")]
    [InlineData("hstry", "history")]
    [InlineData("hsty", null)]
    public void Find_OnlyWhenClose(string typed, string? expected)
    {
        var found = NearestNames.Find(typed, ["set", "stats", "status", "history"]);

        Assert.Equal(expected is null ? [] : [expected], found);
    }
}
