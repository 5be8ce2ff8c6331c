using System.Text.Json;
using Cutover.Cli.Tests.Support;

namespace Cutover.Cli.Tests.Commands;

public sealed class OverrideCommandTests : CliTest
{
    [Fact]
    public async Task UnifiedWithAProtectedDomain_AcceptedWithAWarningThatTheRouteHasNoEffectThere()
    {
        var run = await Cutover("override", "250788000077", "unified", "--domain", "mobility", "--reason", "QA phone");
        using var overrides = await Router.AdminAsync(HttpMethod.Get, "admin/overrides", token: ReadToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            "cutover: warning: mobility is a protected domain, so the route to unified has no effect there: its updates always go to legacy",
            Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains("Changed override of 250788000077: route none → unified, domain none → mobility", run.Out);
        var pin = Assert.Single(JsonDocument.Parse(await overrides.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.EnumerateArray());
        Assert.Equal("mobility", pin.GetProperty("domain").GetString());
    }

    [Theory]
    [InlineData("unified", "jobs")]
    [InlineData("legacy", "mobility")]
    [InlineData("none", "insurance")]
    public async Task OtherPins_NoWarning(string route, string domain)
    {
        var run = await Cutover("override", "250788000078", route, "--domain", domain, "--reason", "QA phone");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task UnifiedWithAProtectedDomain_AlreadyPinned_StillWarns()
    {
        await Cutover("override", "250788000079", "unified", "--domain", "profile", "--reason", "QA phone");

        var again = await Cutover("override", "250788000079", "unified", "--domain", "profile", "--reason", "QA phone");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Nothing changed", again.Out);
        Assert.Contains("profile is a protected domain", again.Error);
    }
}
