using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Configuration;

/// <summary>
/// The start-up problems docs/configuration.md prints, whole and in order: a change of wording or order here is a
/// change of the documented output, and the page changes with it.
/// </summary>
public sealed class DocumentedExamplesTests
{
    [Fact]
    public void Load_StartUpChecksExample_AsDocumented()
    {
        var errors = Errors(Valid(("Cutover:Listen", "127.0.0.1:8080"), ("Cutover:Upstreams:jobs:TimeoutMs", "0"), ("Cutover:Delivery:RetryBase", "00:00:05"), ("Cutover:Delivery:RetryCap", "00:00:01")));

        Assert.Equal(
            ["Cutover:Upstreams:jobs:TimeoutMs: 0 is outside 1..300000",
             "Cutover:Listen: '127.0.0.1:8080' is not an http:// or https:// URL (example: http://127.0.0.1:8080)",
             "Cutover:Delivery:RetryCap (00:00:01) must be at least Cutover:Delivery:RetryBase (00:00:05)"], errors);
    }

    [Fact]
    public void Load_RolloutGoneWrongInEveryWay_AsDocumented()
    {
        var errors = Errors(Valid(
            ("Cutover:Health:Window", "00:30:00"), ("Cutover:Health:RecentWindow", "00:45:00"),
            ("Cutover:Rollout:Mode", "automatic"), ("Cutover:Rollout:OnCritical", "rollback"), ("Cutover:Rollout:EvaluationInterval", "00:00:00.5"),
            ("Cutover:Rollout:Steps:0:Percent", "10"), ("Cutover:Rollout:Steps:0:Soak", "04:00:00"),
            ("Cutover:Rollout:Steps:1:Percent", "10"), ("Cutover:Rollout:Steps:1:Soak", "-00:01:00"),
            ("Cutover:Rollout:Steps:2:Percent", "50.555"), ("Cutover:Rollout:Steps:2:Soak", "91.00:00:00"), ("Cutover:Rollout:Steps:2:MinRequests", "-1"),
            ("Cutover:Rollout:Steps:3:Percent", "120")));

        Assert.Equal(
            ["Cutover:Rollout:Mode: 'automatic' is not one of manual, auto",
             "Cutover:Rollout:OnCritical: 'rollback' is not one of zero, step_back",
             "Cutover:Rollout:Steps:1:Soak: -00:01:00 is outside 00:00:00..90.00:00:00",
             "Cutover:Rollout:Steps:2:Soak: 91.00:00:00 is outside 00:00:00..90.00:00:00",
             "Cutover:Rollout:Steps:2:MinRequests: -1 is outside 0..1000000000",
             "Cutover:Rollout:EvaluationInterval: 00:00:00.5000000 is outside 00:00:01..01:00:00",
             "Cutover:Health:RecentWindow: 00:45:00 is longer than Cutover:Health:Window (00:30:00)",
             "Cutover:Rollout:Steps:1:Percent: 10 must be above the previous step's 10, at most 100, with at most two decimals",
             "Cutover:Rollout:Steps:2:Percent: 50.555 must be above the previous step's 10, at most 100, with at most two decimals",
             "Cutover:Rollout:Steps:3:Percent: 120 must be above the previous step's 50.555, at most 100, with at most two decimals"],
            errors);
    }

    [Fact]
    public void Load_HealthPairsExample_AsDocumented()
    {
        var errors = Errors(Valid(("Cutover:Health:P95WarnMs", "5000"), ("Cutover:Health:ProbeInterval", "00:00:00.5"),
            ("Cutover:Health:ProbeTimeout", "00:00:10")));

        Assert.Equal(
            ["Cutover:Health:ProbeInterval: 00:00:00.5000000 is outside 00:00:01..01:00:00",
             "Cutover:Health:P95CriticalMs: 3000 is below Cutover:Health:P95WarnMs (5000)",
             "Cutover:Health:ProbeTimeout: 00:00:10 is longer than Cutover:Health:ProbeInterval (00:00:00.5000000)"], errors);
    }

    [Fact]
    public void Load_ModeInAnotherCase_AsDocumented()
    {
        Assert.Equal(["Cutover:Rollout:Mode: 'Auto' is not one of manual, auto"], Errors(Valid(("Cutover:Rollout:Mode", "Auto"))));
    }
}
