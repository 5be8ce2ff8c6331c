using System.Text.Json;
using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>override</c> against a server that keeps user keys hashed (the default): the confirmation still names the user typed.</summary>
public sealed class HashedOverrideCommandTests : CliTest
{
    protected override string UserKeys => "hashed";

    [Fact]
    public async Task Confirmation_NamesTheUserAsTyped_AndAsTheAuditTrailKeepsIt()
    {
        var pin = await Cutover("override", "250788000099", "unified", "--domain", "jobs", "--reason", "QA phone");
        var clear = await Cutover("override", " 250788000099 ", "clear", "--reason", "QA done");
        var history = await Cutover("history", "--json");

        Assert.True(pin.ExitCode == 0, pin.ToString());
        Assert.Equal(0, clear.ExitCode);
        var kept = JsonDocument.Parse(history.Out).RootElement[0].GetProperty("after").GetProperty("user").GetString()!;
        Assert.NotEqual("250788000099", kept);
        Assert.StartsWith($"Changed override of 250788000099 (kept as {kept}): route none → unified, domain none → jobs (by alice: \"QA phone\")", pin.Out);
        Assert.StartsWith($"Changed override_clear of 250788000099 (kept as {kept}): route unified → none, domain jobs → none", clear.Out);
    }
}
