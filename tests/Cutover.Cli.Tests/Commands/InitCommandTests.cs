using System.Text.RegularExpressions;
using Cutover.Cli.Commands;
using Cutover.Cli.Tests.Support;
using Cutover.Server.Configuration;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>cutover init</c>, and <c>serve</c> on a configuration with several problems.</summary>
public sealed partial class InitCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cutover-init-");

    private string PathOf(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Init_NewFile_WritesAConfigThatLoadsOnceItsVariablesAreSet()
    {
        // arrange
        var file = PathOf("cutover.json");
        var secrets = StarterConfig.Variables.ToDictionary(static v => v, static v => $"{v.ToLowerInvariant()}-0123456789abcdef");

        // act
        var run = await CliRun.InvokeAsync("init", "--output", file);
        var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        var (options, errors) = CutoverConfiguration.Load(
            CutoverConfiguration.Build(file, includeEnvironment: false), name => secrets.GetValueOrDefault(name));

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Wrote {file}.", run.Out);
        Assert.Contains($"cutover serve --config {file}", run.Out);
        var json = text.Split('\n').Where(static l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal));
        Assert.Equal(StarterConfig.Variables, json.SelectMany(static l => EnvReference().Matches(l)).Select(static m => m.Groups[1].Value));
        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(secrets["META_APP_SECRET"], options.AppSecret);
        Assert.Equal(secrets["META_VERIFY_TOKEN"], options.VerifyToken);
        Assert.Equal(secrets["CUTOVER_HASH_KEY"], options.Privacy.HashKey);
        Assert.Equal(secrets["CUTOVER_TOKEN_ADMIN"], Assert.Single(options.Admin.Tokens).Token);
        Assert.Equal(8, options.Upstreams.Count);
        Assert.Equal(DeliveryMode.Direct, options.Delivery.Mode);
    }

    [Fact]
    public async Task Init_VariablesNotSet_EverySecretIsAnEnvReferenceNamedAtStartUp()
    {
        // No secret may be written into the file: without the variables, each secret key is a problem naming its variable.
        var file = PathOf("cutover.json");
        await CliRun.InvokeAsync("init", "--output", file);

        var (options, errors) = CutoverConfiguration.Load(CutoverConfiguration.Build(file, includeEnvironment: false), static _ => null);

        Assert.Null(options);
        Assert.Equal(
            [
                "Cutover:AppSecret refers to environment variable META_APP_SECRET, which is not set",
                "Cutover:VerifyToken refers to environment variable META_VERIFY_TOKEN, which is not set",
                "Cutover:Privacy:HashKey refers to environment variable CUTOVER_HASH_KEY, which is not set",
                "Cutover:Admin:Tokens:0:Token refers to environment variable CUTOVER_TOKEN_ADMIN, which is not set",
            ],
            errors);
    }

    [Fact]
    public async Task Init_FileExists_CantCreate73AndFileUntouched()
    {
        var file = PathOf("cutover.json");
        await File.WriteAllTextAsync(file, "mine", TestContext.Current.CancellationToken);

        var run = await CliRun.InvokeAsync("init", "--output", file);

        Assert.Equal(73, run.ExitCode);
        Assert.Contains($"--output: {file} exists; --force overwrites it", run.Error);
        Assert.Equal("mine", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Init_FileExistsWithForce_Overwrites()
    {
        var file = PathOf("cutover.json");
        await File.WriteAllTextAsync(file, "mine", TestContext.Current.CancellationToken);

        var run = await CliRun.InvokeAsync("init", "--output", file, "--force");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(StarterConfig.Text, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Init_FolderMissing_CantCreate73()
    {
        var file = PathOf(Path.Combine("missing", "cutover.json"));

        var run = await CliRun.InvokeAsync("init", "--output", file);

        Assert.Equal(73, run.ExitCode);
        Assert.Contains($"--output: cannot write {file}", run.Error);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Serve_MisspeltKeysAndABadValue_Config78ListingEveryProblemWithTheNearestKey()
    {
        // arrange: the starter file with three misspelt keys and a value out of range
        var file = PathOf("cutover.json");
        await CliRun.InvokeAsync("init", "--output", file);
        var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        text = text
            .Replace("\"Upstreams\":", "\"Upstream\":", StringComparison.Ordinal)
            .Replace("\"Mode\": \"direct\"", "\"Mdoe\": \"direct\"", StringComparison.Ordinal)
            .Replace("\"HashKey\":", "\"HashKye\":", StringComparison.Ordinal)
            .Replace("\"OnCritical\": \"zero\"", "\"OnCritical\": \"Zero\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);

        // act
        var run = await CliRun.InvokeAsync("serve", "--config", file);

        // assert: all of them at once, one per line, before anything starts
        Assert.Equal(78, run.ExitCode);
        Assert.Empty(run.Out);
        var lines = run.Error.Split(Environment.NewLine);
        Assert.StartsWith($"cutover: the configuration ({file}) has ", lines[0]);
        Assert.Contains("  - Cutover:Upstream: not a known key; did you mean Cutover:Upstreams?", lines);
        Assert.Contains("  - Cutover:Delivery:Mdoe: not a known key; did you mean Cutover:Delivery:Mode?", lines);
        Assert.Contains("  - Cutover:Privacy:HashKye: not a known key; did you mean Cutover:Privacy:HashKey?", lines);
        Assert.Contains(lines, static l => l.StartsWith("  - Cutover:Rollout:OnCritical: 'Zero' is not one of ", StringComparison.Ordinal));
        Assert.Contains("  - Cutover:Upstreams:unified:Url is missing: the unified handler's URL is required", lines);
    }

    [GeneratedRegex("\"env:([A-Z0-9_]+)\"")]
    private static partial Regex EnvReference();
}
