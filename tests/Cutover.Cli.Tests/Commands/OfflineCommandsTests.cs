using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cutover.Cli.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.Cli.Tests.Commands;

/// <summary>Verbs and failures that need no running server.</summary>
public sealed class OfflineCommandsTests
{
    [Fact]
    public async Task Status_ServerUnreachable_Unavailable69NamingUrl()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/";

        var run = await CliRun.InvokeAsync("status", "--url", url);

        Assert.Equal(69, run.ExitCode);
        Assert.Contains($"cannot reach Cutover at {url}", run.Error);
        Assert.Contains("connection refused", run.Error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("set")]
    [InlineData("history", "--limit", "0")]
    [InlineData("override", "250788000001", "sideways", "--reason", "x")]
    public async Task BadUsage_Exit64WithMessage(params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(64, run.ExitCode);
        Assert.StartsWith("cutover: ", run.Error);
        Assert.Contains("--help", run.Error);
    }

    [Theory]
    [InlineData("Queued")]
    [InlineData("async")]
    [InlineData("")]
    public async Task Demo_DeliveryNeitherDirectNorQueued_Usage64NamingTheChoices(string delivery)
    {
        var run = await CliRun.InvokeAsync("demo", "--delivery", delivery);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains($"--delivery: '{delivery}' is not direct or queued", run.Error);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Help_Demo_OffersTheDashboardAndItsExample()
    {
        var run = await CliRun.InvokeAsync("demo", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--dashboard ", run.Out);
        Assert.Contains("print the URL of its dashboard", run.Out);
        Assert.Contains("cutover demo --dashboard", run.Out);
    }

    [Fact]
    public async Task BadUrl_Usage64()
    {
        var run = await CliRun.InvokeAsync("status", "--url", "not a url");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--url: 'not a url'", run.Error);
    }

    [Theory]
    [InlineData("init")]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("demo")]
    [InlineData("status")]
    [InlineData("set")]
    [InlineData("enable")]
    [InlineData("disable")]
    [InlineData("override")]
    [InlineData("history")]
    [InlineData("explain")]
    [InlineData("overrides")]
    [InlineData("rollbacks")]
    [InlineData("stats")]
    public async Task Help_EveryVerb_HasAnExample(string verb)
    {
        var run = await CliRun.InvokeAsync(verb, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Example", run.Out);
        Assert.Contains($"cutover {verb}", run.Out);
    }

    [Fact]
    public async Task Explain_Offline_WithConfigAndNoStoreFile_UsesInitialStateAndCreatesNothing()
    {
        var directory = Directory.CreateTempSubdirectory("cutover-cli-");
        var config = await WriteConfigAsync(directory);

        var run = await CliRun.InvokeAsync("explain", "--payload", Path.Combine(Corpus.Directory, "033-text.json"), "--config", config, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("legacy", JsonDocument.Parse(run.Out).RootElement[0].GetProperty("route").GetString());
        Assert.False(File.Exists(Path.Combine(directory.FullName, "store.db")));
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Migrate_NewStore_AppliesThenIsUpToDate()
    {
        var directory = Directory.CreateTempSubdirectory("cutover-cli-");
        var config = await WriteConfigAsync(directory);

        var first = await CliRun.InvokeAsync("migrate", "--config", config);
        var second = await CliRun.InvokeAsync("migrate", "--config", config);
        directory.Delete(recursive: true);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("Applied 8 migrations", first.Out);
        Assert.Contains("up to date", second.Out);
    }

    [Fact]
    public async Task Migrate_InvalidConfig_Config78ListingProblems()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"Cutover": {"Upstreams": {"unified": {"Url": "nope"}}, "Memory": {"Ttl": "soon"}}}""", TestContext.Current.CancellationToken);

        var run = await CliRun.InvokeAsync("migrate", "--config", file);
        File.Delete(file);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains("Cutover:Memory:Ttl: 'soon' is not a duration such as 00:30:00", run.Error);
    }

    [Fact]
    public async Task Migrate_ConfigNotJson_Config78()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "{ \"Cutover\": ", TestContext.Current.CancellationToken);

        var run = await CliRun.InvokeAsync("migrate", "--config", file);
        File.Delete(file);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains("is not valid JSON", run.Error);
    }

    [Fact]
    public async Task Migrate_MissingConfigFile_NoInput66()
    {
        var run = await CliRun.InvokeAsync("migrate", "--config", "/nonexistent/cutover.json");

        Assert.Equal(66, run.ExitCode);
        Assert.Contains("/nonexistent/cutover.json does not exist", run.Error);
    }

    [Fact]
    public async Task Serve_OnAnAddressInUse_OneLineNamingIt_Exit69()
    {
        var directory = Directory.CreateTempSubdirectory("cutover-cli-");
        var config = await WriteConfigAsync(directory);
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        var run = await CliRun.InvokeAsync("serve", "--config", config, "--listen", address);

        Assert.Equal(69, run.ExitCode);
        Assert.Equal($"cutover: cannot listen on {address}: address already in use\n", run.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("listening", run.Out);
        SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    private static async Task<string> WriteConfigAsync(DirectoryInfo directory)
    {
        var upstreams = new JsonObject();
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams[name] = new JsonObject { ["Url"] = $"http://127.0.0.1:9/{name}" };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["Upstreams"] = upstreams,
                ["Store"] = new JsonObject { ["ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "store.db")}" },
            },
        };
        var path = Path.Combine(directory.FullName, "cutover.json");
        await File.WriteAllTextAsync(path, config.ToJsonString(), TestContext.Current.CancellationToken);
        return path;
    }
}
