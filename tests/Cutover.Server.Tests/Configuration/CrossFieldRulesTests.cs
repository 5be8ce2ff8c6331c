using Cutover.Server.Configuration;
using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Configuration;

/// <summary>
/// Each rule of <see cref="CutoverOptionsRulesValidator"/>: the problem names the key, its value, and the key it was held
/// against. Each case changes one thing of a configuration that starts, so the problem asserted is the only one.
/// </summary>
public sealed class CrossFieldRulesTests
{
    [Theory]
    [InlineData("ErrorRateWarnPct", "1", "ErrorRateCriticalPct", "0.5", "Cutover:Health:ErrorRateCriticalPct: 0.5 is below Cutover:Health:ErrorRateWarnPct (1)")]
    [InlineData("P95WarnMs", "5000", "P95CriticalMs", "3000", "Cutover:Health:P95CriticalMs: 3000 is below Cutover:Health:P95WarnMs (5000)")]
    [InlineData("Window", "00:30:00", "RecentWindow", "00:45:00", "Cutover:Health:RecentWindow: 00:45:00 is longer than Cutover:Health:Window (00:30:00)")]
    [InlineData("ProbeInterval", "00:00:05", "ProbeTimeout", "00:00:10", "Cutover:Health:ProbeTimeout: 00:00:10 is longer than Cutover:Health:ProbeInterval (00:00:05)")]
    public void Health_LimitAgainstItsPair_NamesBothKeysAndValues(string pairKey, string pairValue, string key, string value, string expected)
    {
        var errors = Errors(Valid(($"Cutover:Health:{pairKey}", pairValue), ($"Cutover:Health:{key}", value)));

        Assert.Equal([expected], errors);
    }

    [Theory]
    [InlineData("ErrorRateCriticalPct", "0.1")]
    [InlineData("P95CriticalMs", "2000")]
    public void Health_CriticalEqualToWarn_Accepted(string key, string value)
    {
        // A check is critical only above its threshold: equal thresholds mean "warn never comes first", not a mistake.
        Assert.Empty(Errors(Valid(($"Cutover:Health:{key}", value))));
    }

    [Fact]
    public void Health_CriticalOutOfItsOwnRangeAndBelowWarn_OneProblemForTheKey()
    {
        var errors = Errors(Valid(("Cutover:Health:ErrorRateCriticalPct", "-1")));

        Assert.Equal(["Cutover:Health:ErrorRateCriticalPct: -1 is outside 0..100"], errors);
    }

    [Fact]
    public void DecisionLog_BatchLargerThanQueue_NamesBoth()
    {
        var errors = Errors(Valid(("Cutover:DecisionLog:QueueCapacity", "10"), ("Cutover:DecisionLog:BatchSize", "20")));

        Assert.Equal(["Cutover:DecisionLog:BatchSize: 20 must be between 1 and QueueCapacity (10)"], errors);
    }

    [Theory]
    [InlineData("10", "10", "Cutover:Rollout:Steps:1:Percent: 10 must be above the previous step's 10")]
    [InlineData("25", "10", "Cutover:Rollout:Steps:1:Percent: 10 must be above the previous step's 25")]
    [InlineData("10", "100.5", "Cutover:Rollout:Steps:1:Percent: 100.5 must be above the previous step's 10")]
    [InlineData("10", "12.345", "Cutover:Rollout:Steps:1:Percent: 12.345 must be above the previous step's 10")]
    [InlineData("0", "10", "Cutover:Rollout:Steps:0:Percent: 0 must be above the previous step's 0")]
    public void Rollout_StepsNotRising_NamesTheStepAndBothPercents(string first, string second, string expected)
    {
        var errors = Errors(Valid(("Cutover:Rollout:Steps:0:Percent", first), ("Cutover:Rollout:Steps:1:Percent", second)));

        Assert.Equal([expected + ", at most 100, with at most two decimals"], errors);
    }

    [Fact]
    public void Rollout_StepsRisingToAHundred_Accepted()
    {
        Assert.Empty(Errors(Valid(("Cutover:Rollout:Steps:0:Percent", "0.01"), ("Cutover:Rollout:Steps:1:Percent", "99.99"),
            ("Cutover:Rollout:Steps:2:Percent", "100"))));
    }

    [Fact]
    public void Domains_UpstreamNotConfigured_NamesDomainAndUpstream()
    {
        var errors = Errors(Valid(("Cutover:Domains:jobs:Upstream", "careers")));

        Assert.Equal(["Cutover:Domains:jobs:Upstream: 'careers' is not configured under Cutover:Upstreams (add Cutover:Upstreams:careers:Url)"], errors);
    }

    [Fact]
    public void Domains_DefaultNamedUpstreamMissing_NamesTheDomain()
    {
        // A domain's upstream defaults to its own name: a new domain needs an upstream of that name.
        var errors = Errors(Valid(("Cutover:Domains:farmer:Keywords:en:0", "seeds")));

        Assert.Equal(["Cutover:Domains:farmer:Upstream: 'farmer' is not configured under Cutover:Upstreams (add Cutover:Upstreams:farmer:Url)"], errors);
    }

    [Fact]
    public void Fields_UpstreamNotConfigured_NamesFieldAndUpstream()
    {
        var errors = Errors(Valid(("Cutover:Fields:calls", "voice")));

        Assert.Equal(["Cutover:Fields:calls: 'voice' is not configured under Cutover:Upstreams"], errors);
    }

    [Fact]
    public void ProtectedDomains_NotConfigured_NamesEntryAndName()
    {
        var errors = Errors(Valid(("Cutover:ProtectedDomains:0", "mobility"), ("Cutover:ProtectedDomains:1", "payments")));

        Assert.Equal(["Cutover:ProtectedDomains:1: 'payments' is not a configured domain"], errors);
    }

    [Fact]
    public void Upstreams_UnifiedMissing_Required()
    {
        var settings = Valid();
        settings.Remove("Cutover:Upstreams:unified:Url");

        Assert.Equal(["Cutover:Upstreams:unified:Url is missing: the unified handler's URL is required"], Errors(settings));
    }

    [Fact]
    public void Tokens_NameUsedTwice_NamesTheSecondAndTheName()
    {
        var errors = Errors(Valid(
            ("Cutover:Admin:Tokens:0:Name", "alice"), ("Cutover:Admin:Tokens:0:Token", "alice-token-0123456789"), ("Cutover:Admin:Tokens:0:Role", "operate"),
            ("Cutover:Admin:Tokens:1:Name", "alice"), ("Cutover:Admin:Tokens:1:Token", "other-token-0123456789"), ("Cutover:Admin:Tokens:1:Role", "read")));

        Assert.Equal(["Cutover:Admin:Tokens:1:Name: 'alice' is used by two tokens"], errors);
    }

    [Fact]
    public void Tokens_SameSecretTwice_NamedWithoutTheSecret()
    {
        const string secret = "shared-token-0123456789";
        var errors = Errors(Valid(
            ("Cutover:Admin:Tokens:0:Name", "alice"), ("Cutover:Admin:Tokens:0:Token", secret), ("Cutover:Admin:Tokens:0:Role", "operate"),
            ("Cutover:Admin:Tokens:1:Name", "bob"), ("Cutover:Admin:Tokens:1:Token", secret), ("Cutover:Admin:Tokens:1:Role", "read")));

        Assert.Equal(["Cutover:Admin:Tokens:1:Token is the same as another token's"], errors);
    }

    [Theory]
    [InlineData("sqlite", "Cutover:Store:ConnectionString is empty (SQLite example: Data Source=cutover.db)")]
    [InlineData("postgres", "Cutover:Store:ConnectionString is empty (PostgreSQL example: Host=db;Database=cutover;Username=cutover, or env:NAME to keep the password out of the file)")]
    public void Store_ConnectionStringEmpty_ExampleForTheProvider(string provider, string expected)
    {
        var errors = Errors(Valid(("Cutover:Store:Provider", provider), ("Cutover:Store:ConnectionString", " "),
            ("Cutover:Privacy:HashKey", "0123456789abcdef0123")));

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Delivery_QueuedWithDefaults_Valid()
    {
        Assert.Empty(Errors(Valid(("Cutover:Delivery:Mode", "queued"))));
    }

    [Fact]
    public void Delivery_QueuedWithRulesBroken_EveryProblemNamed()
    {
        var errors = Errors(Valid(
            ("Cutover:Delivery:Mode", "queued"), ("Cutover:Upstreams:jobs:TimeoutMs", "40000"),
            ("Cutover:Delivery:BacklogWarnAge", "00:10:00"), ("Cutover:Delivery:BacklogCriticalAge", "00:05:00"),
            ("Cutover:Delivery:Workers", "8"), ("Cutover:Delivery:ConcurrencyPerUpstream", "16"),
            ("Cutover:Delivery:MaxAge", "8.00:00:00")));

        Assert.Equal(
            ["Cutover:Delivery:Lease (60 s) must be at least twice the longest Cutover:Upstreams:*:TimeoutMs (40000 ms): an attempt and its fallback must end before the lease does",
             "Cutover:Delivery:BacklogCriticalAge must be at least Cutover:Delivery:BacklogWarnAge",
             "Cutover:Delivery:ConcurrencyPerUpstream (16) is more than Cutover:Delivery:Workers (8)",
             "Cutover:Delivery:DedupWindow must be at least Cutover:Delivery:MaxAge: an update still being retried must still be known"],
            errors);
    }

    [Fact]
    public void Delivery_DirectWithAQueuedOnlyKeyOff_NotReported()
    {
        // Direct delivery reads neither the lease nor the backlog ages.
        Assert.Empty(Errors(Valid(("Cutover:Upstreams:jobs:TimeoutMs", "40000"), ("Cutover:Delivery:Workers", "8"), ("Cutover:Delivery:ConcurrencyPerUpstream", "16"))));
    }

    [Fact]
    public void Notifications_TwoBadUrls_OneProblemEach()
    {
        var errors = Errors(Valid(("Cutover:Notifications:Urls:0", "https://ok.example/hook"), ("Cutover:Notifications:Urls:1", "nope"),
            ("Cutover:Notifications:Urls:2", "ftp://x/y")));

        Assert.Equal(
            ["Cutover:Notifications:Urls:1: not an absolute http:// or https:// URL (4 characters)",
             "Cutover:Notifications:Urls:2: not an absolute http:// or https:// URL (9 characters)"], errors);
    }

    [Fact]
    public void Notifications_UnknownEventName_NamesTheKeyTheValueAndTheKnownKinds()
    {
        var errors = Errors(Valid(("Cutover:Notifications:Events:0", "rollback"), ("Cutover:Notifications:Events:1", "rollout_held")));

        Assert.Equal(
            ["Cutover:Notifications:Events:1: 'rollout_held' is not an event kind; the known kinds: rollout_start, rollout_step, rollout_hold, "
             + "rollout_await, rollout_soak, rollout_promote, rollout_pause, rollout_resume, rollout_abort, rollout_complete, rollback, unified_critical"],
            errors);
    }

    [Fact]
    public void Notifications_KnownEventNames_AndGuardAfterCompleteOff_AreAccepted()
    {
        var errors = Errors(Valid(("Cutover:Notifications:Events:0", "rollback"), ("Cutover:Notifications:Events:1", "unified_critical"),
            ("Cutover:Rollout:GuardAfterComplete", "false")));

        Assert.Empty(errors);
    }

    [Fact]
    public void Handlers_EmptyExpectedName_NamesTheEntry()
    {
        var errors = Errors(Valid(("Cutover:Handlers:Expected:0", "jobs"), ("Cutover:Handlers:Expected:1", " ")));

        Assert.Equal(["Cutover:Handlers:Expected:1: a handler name is empty"], errors);
    }

    [Fact]
    public void Listen_OffLoopbackWithoutTokens_NamesListenAndTokens()
    {
        var errors = Errors(Valid(("Cutover:Listen", "http://0.0.0.0:8080")));

        Assert.StartsWith("Cutover:Listen: 'http://0.0.0.0:8080' is reachable from other machines and Cutover:Admin:Tokens is empty", Assert.Single(errors));
    }

    [Fact]
    public void Validate_OnlyTheRules_FieldProblemsAreNotTheirs()
    {
        // The rules validator on its own: one rule broken, one single-key range broken. Only the rule is its.
        var options = new CutoverOptions
        {
            Upstreams = { ["unified"] = new UpstreamOptions { Url = "http://127.0.0.1:9/u" } },
            Health = new HealthOptions { P95WarnMs = 5000, P95CriticalMs = 3000, ProbeFailures = 0 },
        };

        var result = new CutoverOptionsRulesValidator().Validate(null, options);

        Assert.Equal(["Cutover:Health:P95CriticalMs: 3000 is below Cutover:Health:P95WarnMs (5000)"], result.Failures);
    }
}
