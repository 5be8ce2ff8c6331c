using Cutover.Core.Rollout;
using Cutover.Server.Admin;
using Cutover.Server.Configuration;
using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Configuration;

/// <summary>
/// Modes are enums bound from the names the docs list, exactly as before (lower case; no other case, no number). An
/// unknown name is a problem naming the key, the value and every name allowed, listed with the file's other problems.
/// </summary>
public sealed class ModeNameTests
{
    public static TheoryData<string, string, string> UnknownNames => new()
    {
        { "Cutover:Rollout:Mode", "automatic", "manual, auto" },
        { "Cutover:Rollout:OnCritical", "rollback", "zero, step_back" },
        { "Cutover:Store:Provider", "mysql", "sqlite, postgres" },
        { "Cutover:Delivery:Mode", "fast", "direct, queued" },
        { "Cutover:Privacy:UserKeys", "plain", "hashed, raw" },
        { "Cutover:Memory:Share", "always", "auto, on, off" },
        { "Cutover:Admin:Tokens:0:Role", "admin", "read, operate" },
    };

    public static TheoryData<string, string> OtherSpellings => new()
    {
        { "Cutover:Rollout:Mode", "Auto" },
        { "Cutover:Rollout:Mode", "MANUAL" },
        { "Cutover:Rollout:Mode", "1" },
        { "Cutover:Rollout:OnCritical", "StepBack" },
        { "Cutover:Rollout:OnCritical", "step-back" },
        { "Cutover:Store:Provider", "Postgres" },
        { "Cutover:Delivery:Mode", " direct" },
        { "Cutover:Privacy:UserKeys", "Raw" },
        { "Cutover:Memory:Share", "true" },
        { "Cutover:Admin:Tokens:0:Role", "Operate" },
    };

    [Theory]
    [MemberData(nameof(UnknownNames))]
    public void Load_UnknownName_NamesKeyValueAndTheNamesAllowed(string key, string value, string allowed)
    {
        var errors = Errors(WithToken((key, value)));

        Assert.Equal([$"{key}: '{value}' is not one of {allowed}"], errors);
    }

    [Theory]
    [MemberData(nameof(OtherSpellings))]
    public void Load_NameInAnotherSpelling_RefusedAsBefore(string key, string value)
    {
        // Until now every mode was compared exactly, as a string: "Auto" or "1" never started. The framework's enum
        // conversion would take them; the configuration still does not.
        var errors = Errors(WithToken((key, value)));

        Assert.StartsWith($"{key}: '{value}' is not one of ", Assert.Single(errors));
    }

    [Fact]
    public void Load_EveryDocumentedName_BindsItsMember()
    {
        var (options, errors) = Load(WithToken(
            ("Cutover:Rollout:Mode", "auto"), ("Cutover:Rollout:OnCritical", "step_back"), ("Cutover:Store:Provider", "postgres"),
            ("Cutover:Store:ConnectionString", "Host=db;Database=cutover"), ("Cutover:Delivery:Mode", "direct"), ("Cutover:Privacy:UserKeys", "raw"),
            ("Cutover:Memory:Share", "off"), ("Cutover:Admin:Tokens:0:Role", "read")));

        Assert.Empty(errors);
        Assert.Equal((RolloutMode.Auto, CriticalAction.StepBack), (options!.Rollout.Mode, options.Rollout.OnCritical));
        Assert.Equal((StoreProvider.Postgres, DeliveryMode.Direct, UserKeysMode.Raw, MemoryShareMode.Off),
            (options.Store.Provider, options.Delivery.Mode, options.Privacy.UserKeys, options.Memory.Share));
        Assert.Equal(AdminRole.Read, options.Admin.Tokens[0].Role);
    }

    [Fact]
    public void Load_Defaults_TheDocumentedOnes()
    {
        var (options, _) = Load(Valid());

        Assert.Equal((RolloutMode.Manual, CriticalAction.Zero, StoreProvider.Sqlite, DeliveryMode.Direct, UserKeysMode.Hashed, MemoryShareMode.Auto),
            (options!.Rollout.Mode, options.Rollout.OnCritical, options.Store.Provider, options.Delivery.Mode, options.Privacy.UserKeys, options.Memory.Share));
    }

    [Fact]
    public void Load_UnknownNameAndOtherProblems_EveryOneListed()
    {
        // A mode's name is read before the rest is checked; a wrong one must not hide the file's other problems.
        var errors = Errors(Valid(("Cutover:Rollout:Mode", "automatic"), ("Cutover:Upstreams:jobs:TimeoutMs", "0"),
            ("Cutover:Listen", "nowhere")));

        Assert.Equal(
            ["Cutover:Rollout:Mode: 'automatic' is not one of manual, auto",
             "Cutover:Upstreams:jobs:TimeoutMs: 0 is outside 1..300000",
             "Cutover:Listen: 'nowhere' is not an http:// or https:// URL (example: http://127.0.0.1:8080)"], errors);
    }

    [Fact]
    public void Load_RoleEmpty_MissingNotUnknown()
    {
        var errors = Errors(WithToken(("Cutover:Admin:Tokens:0:Role", "")));

        Assert.Equal(["Cutover:Admin:Tokens:0:Role is missing: a token's role is read or operate"], errors);
    }

    /// <summary>A valid configuration with one admin token, changed by <paramref name="changes"/>.</summary>
    private static Dictionary<string, string?> WithToken(params (string Key, string? Value)[] changes) =>
        Valid([("Cutover:Admin:Tokens:0:Name", "alice"), ("Cutover:Admin:Tokens:0:Token", "alice-token-0123456789"),
            ("Cutover:Admin:Tokens:0:Role", "operate"), .. changes]);
}
