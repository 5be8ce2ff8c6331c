using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.Configuration;

/// <summary>An admin API without tokens is refused off loopback unless <c>Admin:AllowUnauthenticated</c> says otherwise.</summary>
public sealed class ListenRuleTests
{
    private const string Refusal = "is reachable from other machines and Cutover:Admin:Tokens is empty, so the admin API would be open to "
        + "anyone who reaches it: configure a token under Cutover:Admin:Tokens, or set Cutover:Admin:AllowUnauthenticated to true "
        + "if something in front of Cutover authenticates /admin";

    private static Dictionary<string, string?> Valid(string listen)
    {
        var settings = new Dictionary<string, string?> { ["Cutover:Listen"] = listen };
        foreach (var name in new[] { "unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = $"http://127.0.0.1:9/{name}";
        }

        return settings;
    }

    private static IReadOnlyList<string> Errors(Dictionary<string, string?> settings) =>
        CutoverConfiguration.Load(CutoverConfiguration.Build(null, settings, includeEnvironment: false), static _ => null).Errors;

    [Theory]
    [InlineData("http://0.0.0.0:8080", "http://0.0.0.0:8080")]
    [InlineData("http://[::]:8080", "http://[::]:8080")]
    [InlineData("http://*:8080", "http://*:8080")]
    [InlineData("http://+:8080", "http://+:8080")]
    [InlineData("https://cutover.example.com:8443", "https://cutover.example.com:8443")]
    [InlineData("http://203.0.113.5:8080", "http://203.0.113.5:8080")]
    [InlineData("http://10.1.2.3", "http://10.1.2.3")]
    [InlineData("http://127.0.0.1:8080;http://0.0.0.0:9090", "http://0.0.0.0:9090")]
    public void Load_NoTokensOffLoopback_RefusedNamingBothKeysAndWhatToDo(string listen, string named)
    {
        var errors = Errors(Valid(listen));

        Assert.Equal($"Cutover:Listen: '{named}' {Refusal}", Assert.Single(errors));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.0.0.2:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://LOCALHOST:8080")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://127.0.0.1:8080;http://[::1]:8080")]
    [InlineData("http://unix:/run/cutover.sock")]
    public void Load_NoTokensOnLoopback_Accepted(string listen) => Assert.Empty(Errors(Valid(listen)));

    [Fact]
    public void Load_TokensOffLoopback_Accepted()
    {
        var settings = Valid("http://0.0.0.0:8080");
        settings["Cutover:Admin:Tokens:0:Name"] = "alice";
        settings["Cutover:Admin:Tokens:0:Token"] = "alice-token-0123456789";
        settings["Cutover:Admin:Tokens:0:Role"] = "operate";

        Assert.Empty(Errors(settings));
    }

    [Fact]
    public void Load_AllowUnauthenticatedOffLoopback_AcceptedAndWarned()
    {
        var settings = Valid("http://0.0.0.0:8080");
        settings["Cutover:Admin:AllowUnauthenticated"] = "true";

        var (options, errors) = CutoverConfiguration.Load(CutoverConfiguration.Build(null, settings, includeEnvironment: false), static _ => null);

        Assert.Empty(errors);
        Assert.True(options!.Admin.AllowUnauthenticated);
        Assert.Contains(new SecurityWarnings(options).All, static w => w.StartsWith("the admin API needs no token", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("localhost:80", "'localhost:80'")]
    [InlineData("ftp://127.0.0.1:21", "'ftp://127.0.0.1:21'")]
    [InlineData("http://127.0.0.1:8080;nonsense", "'nonsense'")]
    public void Load_NotAUrl_NamedAsBefore(string listen, string named) =>
        Assert.Equal($"Cutover:Listen: {named} is not an http:// or https:// URL (example: http://127.0.0.1:8080)", Assert.Single(Errors(Valid(listen))));

    [Fact]
    public async Task Host_ListenGivenOffLoopbackWithoutTokens_RefusesToStartBeforeBinding()
    {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: were it not refused first, binding it would fail, not succeed.
        var settings = Valid("http://127.0.0.1:8080");
        settings["Cutover:Store:ConnectionString"] = "Data Source=" + Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.db");
        await using var app = CutoverHost.Build(new CutoverHostOptions { Settings = settings, Listen = "http://192.0.2.1:0", IncludeEnvironment = false });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal($"Cutover:Listen: 'http://192.0.2.1:0' {Refusal}", Assert.Single(ex.Failures));
    }
}
