using Cutover.Server.Configuration;
using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Configuration;

/// <summary>
/// The annotations, through the generated <see cref="CutoverOptionsFieldValidator"/>: every problem starts with the key
/// in the <c>Cutover:Section:Key</c> form, then the value and the range, whatever the type and however deep the key.
/// </summary>
public sealed class FieldRulesTests
{
    [Theory]
    [InlineData("Cutover:Memory:Capacity", "1", "Cutover:Memory:Capacity: 1 is outside 2..10000000")]
    [InlineData("Cutover:Health:MinRequests", "0", "Cutover:Health:MinRequests: 0 is outside 1..100000000")]
    [InlineData("Cutover:Health:Alpha", "0.5", "Cutover:Health:Alpha: 0.5 is outside 1E-06..0.2")]
    [InlineData("Cutover:Health:Alpha", "NaN", "Cutover:Health:Alpha: NaN is outside 1E-06..0.2")]
    [InlineData("Cutover:Health:SplitTolerancePoints", "0.05", "Cutover:Health:SplitTolerancePoints: 0.05 is outside 0.1..50")]
    [InlineData("Cutover:Store:PollInterval", "00:00:00.010", "Cutover:Store:PollInterval: 00:00:00.0100000 is outside 00:00:00.0500000..00:10:00")]
    [InlineData("Cutover:Retention:Rollups", "4000.00:00:00", "Cutover:Retention:Rollups: 4000.00:00:00 is outside 1.00:00:00..3650.00:00:00")]
    [InlineData("Cutover:Ingress:MaxBodyBytes", "512", "Cutover:Ingress:MaxBodyBytes: 512 is outside 1024..67108864 (Meta sends up to 3 MB)")]
    [InlineData("Cutover:Notifications:Attempts", "21", "Cutover:Notifications:Attempts: 21 is outside 1..20")]
    [InlineData("Cutover:Rollout:EvaluationInterval", "00:00:00.5", "Cutover:Rollout:EvaluationInterval: 00:00:00.5000000 is outside 00:00:01..01:00:00")]
    [InlineData("Cutover:Rollout:FastCheckInterval", "00:00:00.5", "Cutover:Rollout:FastCheckInterval: 00:00:00.5000000 is outside 00:00:01..01:00:00")]
    [InlineData("Cutover:Rollout:Steps:0:MinRequests", "-1", "Cutover:Rollout:Steps:0:MinRequests: -1 is outside 0..1000000000")]
    [InlineData("Cutover:Upstreams:jobs:TimeoutMs", "300001", "Cutover:Upstreams:jobs:TimeoutMs: 300001 is outside 1..300000")]
    public void Load_OutOfRange_KeyValueAndRange(string key, string value, string expected)
    {
        var settings = Valid((key, value));
        if (key.StartsWith("Cutover:Rollout:Steps:0", StringComparison.Ordinal))
        {
            settings["Cutover:Rollout:Steps:0:Percent"] = "10";
        }

        Assert.Equal([expected], Errors(settings));
    }

    [Fact]
    public void Load_RangeOfAStepSoak_NamesTheStepsIndex()
    {
        var errors = Errors(Valid(("Cutover:Rollout:Steps:0:Percent", "10"), ("Cutover:Rollout:Steps:1:Percent", "20"),
            ("Cutover:Rollout:Steps:1:Soak", "91.00:00:00")));

        Assert.Equal(["Cutover:Rollout:Steps:1:Soak: 91.00:00:00 is outside 00:00:00..90.00:00:00"], errors);
    }

    [Fact]
    public void Load_UpstreamNameWithADot_KeyKeepsTheName()
    {
        // The generator joins members with dots; an upstream's name may hold one.
        var errors = Errors(Valid(("Cutover:Upstreams:api.v2:Url", "ftp://x"), ("Cutover:Upstreams:api.v2:HealthUrl", "nope")));

        Assert.Equal(
            ["Cutover:Upstreams:api.v2:Url: 'ftp://x' is not an absolute http:// or https:// URL",
             "Cutover:Upstreams:api.v2:HealthUrl: 'nope' is not an absolute http:// or https:// URL"], errors);
    }

    [Fact]
    public void Load_UpstreamWithoutUrl_MissingSaysWhy()
    {
        var errors = Errors(Valid(("Cutover:Upstreams:extra:TimeoutMs", "5")));

        Assert.Equal(["Cutover:Upstreams:extra:Url is missing: every upstream needs the URL webhooks are POSTed to"], errors);
    }

    [Fact]
    public void Load_TokenIncomplete_EachKeyMissing()
    {
        var errors = Errors(Valid(("Cutover:Admin:Tokens:0:Token", "alice-token-0123456789")));

        Assert.Equal(
            ["Cutover:Admin:Tokens:0:Name is missing: the name is the actor recorded in the audit trail",
             "Cutover:Admin:Tokens:0:Role is missing: a token's role is read or operate"], errors);
    }

    [Theory]
    [InlineData("", "Cutover:Routing:Salt is empty: it must be a fixed string, set once before the rollout")]
    [InlineData(" ", null)]
    public void Load_Salt_OnlyEmptyRefused(string salt, string? expected)
    {
        // Any salt that started before still starts, a blank one included: changing it would reshuffle every user.
        Assert.Equal(expected is null ? [] : [expected], Errors(Valid(("Cutover:Routing:Salt", salt))));
    }

    [Fact]
    public void Load_WrongTypeAndOtherProblems_AllListedTheWrongOneOnce()
    {
        // A value of the wrong type is left unbound and reported; the rest is still checked. The step whose percent
        // could not be read is not also reported as "0 must be above the previous step's 0".
        var errors = Errors(Valid(("Cutover:Rollout:Steps:0:Percent", "ten"), ("Cutover:Memory:Capacity", "1"),
            ("Cutover:Upstreams:jobs:Url", "ftp://x")));

        Assert.Equal(
            ["Cutover:Rollout:Steps:0:Percent: 'ten' is not a number",
             "Cutover:Memory:Capacity: 1 is outside 2..10000000",
             "Cutover:Upstreams:jobs:Url: 'ftp://x' is not an absolute http:// or https:// URL"], errors);
    }

    [Fact]
    public void Load_SecretFromAnUnsetVariable_NotAlsoMissing()
    {
        var errors = Errors(Valid(("Cutover:Admin:Tokens:0:Name", "alice"), ("Cutover:Admin:Tokens:0:Token", "env:CUTOVER_TOKEN_ALICE"),
            ("Cutover:Admin:Tokens:0:Role", "operate")));

        Assert.Equal(["Cutover:Admin:Tokens:0:Token refers to environment variable CUTOVER_TOKEN_ALICE, which is not set"], errors);
    }

    [Fact]
    public void Validate_GeneratedValidatorAlone_KeysFromTheNameItIsGiven()
    {
        var options = new CutoverOptions { Memory = new MemoryOptions { Capacity = 0 }, Health = new HealthOptions { P95CriticalMs = 1 } };

        var result = new CutoverOptionsFieldValidator().Validate("Cutover", options);

        // P95CriticalMs = 1 is within its own range; below P95WarnMs is the rules' concern, not this validator's.
        Assert.Equal(["Cutover:Memory:Capacity: 0 is outside 2..10000000"], result.Failures);
    }

    [Theory]
    [InlineData("Cutover.Store.PollInterval", "Cutover:Store:PollInterval")]
    [InlineData("Cutover.Rollout.Steps[12].Soak", "Cutover:Rollout:Steps:12:Soak")]
    [InlineData("Cutover.Upstreams[api.v2].Url", "Cutover:Upstreams:api.v2:Url")]
    public void FromDisplayName_GeneratorsPath_TheKey(string displayName, string key)
    {
        Assert.Equal(key, ConfigKey.FromDisplayName(displayName));
    }

    [Fact]
    public void HealthOptions_New_ThresholdDefaultsAreCores()
    {
        // One source of defaults: the options start where Core's thresholds do.
        var options = new HealthOptions();
        var core = new Core.Health.HealthThresholds();

        Assert.Equal(
            (core.ErrorRateWarnPct, core.ErrorRateCriticalPct, core.P95WarnMs, core.P95CriticalMs, core.MinErrors, core.MinRequests),
            (options.ErrorRateWarnPct, options.ErrorRateCriticalPct, options.P95WarnMs, options.P95CriticalMs, options.MinErrors, options.MinRequests));
        Assert.Equal(
            (core.SplitTolerancePoints, core.ErrorComparison.Alpha, core.LatencyComparison.Ratio, core.LatencyComparison.SlackMs,
             core.LatencyComparison.MinRequestsPerSide, core.HandlerFailureMinInvocations),
            (options.SplitTolerancePoints, options.Alpha, options.LatencyRatio, options.LatencySlackMs, options.LatencyMinRequests,
             options.HandlerFailureMinInvocations));
    }
}
