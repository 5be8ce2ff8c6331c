using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Microsoft.Extensions.Options;
using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Configuration;

/// <summary>
/// A start-up problem about a secret names its key, never its value: the app secret, the verify token, admin tokens,
/// the hash key, the connection string (it may hold a password) and notification URLs (a Slack path is a credential).
/// </summary>
public sealed class SecretRedactionTests
{
    private const string Secret = "S3CR3T";

    public static TheoryData<string, string, bool> SecretProblems => new()
    {
        // Too short, where the rule is a length.
        { "Cutover:Privacy:HashKey", Secret, true },
        { "Cutover:Admin:Tokens:0:Token", Secret, true },
        // Written where a list or a section belongs: the type check would otherwise quote it as an example.
        { "Cutover:Admin:Tokens", Secret + "-0123456789abcdef", false },
        { "Cutover:Admin:Tokens:1", Secret + "-0123456789abcdef", true },
        { "Cutover:Notifications:Urls", "https://hooks.slack.com/services/T0/B0/" + Secret, true },
        // Not a URL.
        { "Cutover:Notifications:Urls:0", "hooks.slack.com/services/T0/B0/" + Secret, true },
    };

    [Theory]
    [MemberData(nameof(SecretProblems))]
    public void Load_SecretRefused_KeyNamedValueNeverShown(string key, string value, bool withToken)
    {
        var errors = Errors(withToken ? WithToken((key, value)) : Valid((key, value)));

        var error = Assert.Single(errors);
        Assert.StartsWith(key, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameTokenTwice_NeitherShown()
    {
        var token = Secret + "-0123456789abcdef";
        var errors = Errors(WithToken(("Cutover:Admin:Tokens:1:Name", "bob"), ("Cutover:Admin:Tokens:1:Token", token), ("Cutover:Admin:Tokens:1:Role", "read"),
            ("Cutover:Admin:Tokens:0:Token", token)));

        Assert.Equal(["Cutover:Admin:Tokens:1:Token is the same as another token's"], errors);
    }

    [Fact]
    public void Load_EverySecretSetBadlyAtOnce_NoProblemShowsOne()
    {
        // Every secret key set to something refused, with other problems around them: none of the values shows anywhere.
        var errors = Errors(WithToken(
            ("Cutover:AppSecret", "env:"), ("Cutover:VerifyToken", "env:UNSET_" + Secret),
            ("Cutover:Store:Provider", "postgres"), ("Cutover:Store:ConnectionString", "Host=db;Password=" + Secret),
            ("Cutover:Privacy:HashKey", Secret), ("Cutover:Admin:Tokens:0:Token", Secret),
            ("Cutover:Admin:Tokens:1:Name", "bob"), ("Cutover:Admin:Tokens:1:Token", Secret), ("Cutover:Admin:Tokens:1:Role", "boss"),
            ("Cutover:Notifications:Urls:0", Secret), ("Cutover:Listen", "nowhere")));

        Assert.True(errors.Count >= 6, string.Join(Environment.NewLine, errors));
        Assert.All(errors, static e => Assert.DoesNotContain(Secret, e.Replace("UNSET_" + Secret, "UNSET_", StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.Contains("Cutover:VerifyToken refers to environment variable UNSET_" + Secret + ", which is not set", errors); // the variable's name, not a value
    }

    [Fact]
    public async Task Host_SecretRefusedAtStart_ValueNotInTheException()
    {
        var settings = WithToken(("Cutover:Admin:Tokens:0:Token", Secret), ("Cutover:Privacy:HashKey", Secret),
            ("Cutover:Store:ConnectionString", "Data Source=" + Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.db")));
        await using var app = CutoverHost.Build(new CutoverHostOptions { Settings = settings, Listen = "http://127.0.0.1:0", IncludeEnvironment = false });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["Cutover:Privacy:HashKey is shorter than 16 characters", "Cutover:Admin:Tokens:0:Token is shorter than 16 characters"], ex.Failures);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> WithToken(params (string Key, string? Value)[] changes) =>
        Valid([("Cutover:Admin:Tokens:0:Name", "alice"), ("Cutover:Admin:Tokens:0:Token", "alice-token-0123456789"),
            ("Cutover:Admin:Tokens:0:Role", "operate"), .. changes]);
}
