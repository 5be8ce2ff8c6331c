using Cutover.Server.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Cutover.Server.Tests.Configuration;

/// <summary>An unknown key set by an environment variable is named as that variable, not looked for in the file.</summary>
public sealed class UnknownKeyOriginTests
{
    [Fact]
    public void Load_UnknownKeysFromTheEnvironment_NameTheVariable()
    {
        // arrange: a file-like source, then the environment (later wins), as CutoverConfiguration.Build orders them
        var file = Valid();
        file["Cutover:Privacy:HashKye"] = "0123456789abcdef";
        var environment = new Dictionary<string, string?>
        {
            ["Cutover:Delivery:Mdoe"] = "queued",
            ["Cutover:Upstream:jobs:Url"] = "http://127.0.0.1:9/jobs",
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(file)
            .Add(new FakeEnvironmentSource(environment))
            .Build();

        // act
        var (options, errors) = CutoverConfiguration.Load(configuration, static _ => null);

        // assert
        Assert.Null(options);
        Assert.Equal(
            [
                "Cutover:Delivery:Mdoe: not a known key; did you mean Cutover:Delivery:Mode? (from environment variable Cutover__Delivery__Mdoe)",
                "Cutover:Privacy:HashKye: not a known key; did you mean Cutover:Privacy:HashKey?",
                "Cutover:Upstream: not a known key; did you mean Cutover:Upstreams? (from environment variables Cutover__Upstream__…)",
            ],
            errors);
    }

    [Fact]
    public void Load_UnknownKeyInAChainedConfiguration_NamesTheVariable()
    {
        // The host adds Cutover's sources as one chained configuration; the origin is looked for inside it.
        var inner = new ConfigurationBuilder()
            .AddInMemoryCollection(Valid())
            .Add(new FakeEnvironmentSource(new Dictionary<string, string?> { ["Cutover:Delivery:Mdoe"] = "queued" }))
            .Build();
        var configuration = new ConfigurationBuilder().AddConfiguration(inner).Build();

        var (_, errors) = CutoverConfiguration.Load(configuration, static _ => null);

        Assert.Equal(
            ["Cutover:Delivery:Mdoe: not a known key; did you mean Cutover:Delivery:Mode? (from environment variable Cutover__Delivery__Mdoe)"],
            errors);
    }

    [Fact]
    public void Load_FileWithAMisspeltRoot_NamesItWithTheNearestKnownRoot()
    {
        // "Cutovr" would otherwise leave the whole file unread: only "every required key is missing" would show.
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """
            { "Cutovr": { "Listen": "http://127.0.0.1:8080" }, "Logging": { "LogLevel": { "Default": "Warning" } }, "Zzzzzzzz": 1 }
            """);
        var configuration = CutoverConfiguration.Build(file, Valid(), includeEnvironment: false);

        var (options, errors) = CutoverConfiguration.Load(configuration, static _ => null);
        File.Delete(file);

        Assert.Null(options);
        Assert.Equal(
            [
                "Cutovr: not a known key; did you mean Cutover?",
                "Zzzzzzzz: not a known key; the keys known here are Cutover, Logging",
            ],
            errors);
    }

    private static Dictionary<string, string?> Valid()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var name in new[] { "unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = $"http://127.0.0.1:9/{name}";
        }

        return settings;
    }

    /// <summary>The environment provider's type with fixed variables: the process environment is shared by parallel tests.</summary>
    private sealed class FakeEnvironmentSource(Dictionary<string, string?> variables) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(variables);

        private sealed class Provider(Dictionary<string, string?> variables) : EnvironmentVariablesConfigurationProvider
        {
            public override void Load() => Data = new Dictionary<string, string?>(variables, StringComparer.OrdinalIgnoreCase);
        }
    }
}
