using Cutover.EndToEnd.Tests.Support;

namespace Cutover.EndToEnd.Tests;

/// <summary>The README's first command: `cutover demo`, as a newcomer runs it.</summary>
public sealed class DemoProcessTests
{
    [Fact]
    public async Task Demo_RunsToTheEndShowingSplitStickinessAndProtectedDomains()
    {
        var run = await CutoverProcess.RunAsync(AppContext.BaseDirectory, TimeSpan.FromSeconds(90), "demo", "--users", "600");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
        Assert.Contains("Routed at 10%", run.Output);
        Assert.Contains("Routed at 50%", run.Output);
        Assert.Equal(2, run.Output.Split("Protected domains (mobility, profile, insurance): 0 updates to unified.").Length - 1);
        Assert.Contains(" 0 of them went back to legacy", run.Output);
        Assert.Contains("demo: 10% looked healthy", run.Output);
    }
}
