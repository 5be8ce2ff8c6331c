using Cutover.Core.Routing;
using Cutover.Core.Text;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.Configuration;

public sealed class CutoverConfigurationTests
{
    private static Dictionary<string, string?> Valid()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var name in new[] { "unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = $"http://127.0.0.1:9/{name}";
        }

        return settings;
    }

    private static (CutoverOptions? Options, IReadOnlyList<string> Errors) Load(Dictionary<string, string?> settings, Func<string, string?>? env = null) =>
        CutoverConfiguration.Load(CutoverConfiguration.Build(null, settings, includeEnvironment: false), env ?? (static _ => null));

    [Fact]
    public void Load_OnlyUpstreams_DefaultsAsDesigned()
    {
        var (options, errors) = Load(Valid());

        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:8080", options!.Listen);
        Assert.Equal(["mobility", "profile", "insurance"], options.ProtectedDomains);
        Assert.Equal((StoreProvider.Sqlite, DeliveryMode.Direct, UserKeysMode.Hashed), (options.Store.Provider, options.Delivery.Mode, options.Privacy.UserKeys));
        Assert.Equal(TimeSpan.FromMinutes(30), options.Memory.Ttl);
        Assert.Equal(4 * 1024 * 1024, options.Ingress.MaxBodyBytes);
        Assert.Equal((65_536, 1_000, TimeSpan.FromMilliseconds(50)),
            (options.DecisionLog.QueueCapacity, options.DecisionLog.BatchSize, options.DecisionLog.FlushInterval));
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromDays(90), TimeSpan.FromHours(1)),
            (options.Retention.Decisions, options.Retention.Rollups, options.Retention.Interval));
        Assert.Contains("rent", options.Domains["property"].Keywords!["en"]);
        Assert.Contains("appartement", options.Domains["property"].Keywords!["fr"]);
        Assert.Contains("inzu", options.Domains["property"].Keywords!["rw"]);
        var topology = TopologyFactory.Create(options);
        Assert.Equal(["default", "jobs", "marketplace", "property"], topology.RoutableCandidates.Order());
    }

    [Fact]
    public void Load_BadValues_EveryProblemNamesKeyAndValue()
    {
        var settings = Valid();
        settings["Cutover:Listen"] = "localhost:80";
        settings["Cutover:Upstreams:jobs:Url"] = "ftp://x";
        settings["Cutover:Upstreams:unified:TimeoutMs"] = "0";
        settings["Cutover:Store:Provider"] = "mysql";
        settings["Cutover:Privacy:UserKeys"] = "plain";
        settings["Cutover:ProtectedDomains:0"] = "mobilty";
        settings["Cutover:Domains:ride:Upstream"] = "rides";
        settings["Cutover:Admin:Tokens:0:Name"] = "alice";
        settings["Cutover:Admin:Tokens:0:Token"] = "short";
        settings["Cutover:Admin:Tokens:0:Role"] = "admin";

        var (options, errors) = Load(settings);

        Assert.Null(options);
        Assert.Equal(
            new[]
            {
                "Cutover:Listen: 'localhost:80' is not an http:// or https:// URL (example: http://127.0.0.1:8080)",
                "Cutover:Upstreams:unified:TimeoutMs: 0 is outside 1..300000",
                "Cutover:Upstreams:jobs:Url: 'ftp://x' is not an absolute http:// or https:// URL",
                "Cutover:Domains:ride:Upstream: 'rides' is not configured under Cutover:Upstreams (add Cutover:Upstreams:rides:Url)",
                "Cutover:ProtectedDomains:0: 'mobilty' is not a configured domain",
                "Cutover:Store:Provider: 'mysql' is not one of sqlite, postgres",
                "Cutover:Privacy:UserKeys: 'plain' is not one of hashed, raw",
                "Cutover:Admin:Tokens:0:Token is shorter than 16 characters",
                "Cutover:Admin:Tokens:0:Role: 'admin' is not one of read, operate",
            }.Order(StringComparer.Ordinal),
            errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_MissingUnified_SaysItIsRequired()
    {
        var settings = Valid();
        settings.Remove("Cutover:Upstreams:unified:Url");

        var (_, errors) = Load(settings);

        Assert.Contains("Cutover:Upstreams:unified:Url is missing: the unified handler's URL is required", errors);
    }

    [Fact]
    public void Load_NotANumber_NamesKeyAndValue()
    {
        var settings = Valid();
        settings["Cutover:Ingress:MaxBodyBytes"] = "4MB";

        var (_, errors) = Load(settings);

        Assert.Equal(["Cutover:Ingress:MaxBodyBytes: '4MB' is not a whole number"], errors);
    }

    [Fact]
    public void Load_UnknownKeys_EachNamedWithTheNearestKnownOne()
    {
        // A misspelt safety setting must not leave its default in force without a word.
        var settings = Valid();
        settings["Cutover:Rollout:OnCritcal"] = "zero";
        settings["Cutover:Helth:MinRequests"] = "10";
        settings["Cutover:Upstreams:unified:TimeotMs"] = "3000";
        settings["Cutover:Rollout:Zzzzzzzz"] = "1";

        var (options, errors) = Load(settings);

        Assert.Null(options);
        Assert.Equal(4, errors.Count);
        Assert.Contains("Cutover:Helth: not a known key; did you mean Cutover:Health?", errors);
        Assert.Contains("Cutover:Rollout:OnCritcal: not a known key; did you mean Cutover:Rollout:OnCritical?", errors);
        Assert.Contains("Cutover:Upstreams:unified:TimeotMs: not a known key; did you mean Cutover:Upstreams:unified:TimeoutMs?", errors);
        Assert.Contains(errors, static e => e.StartsWith("Cutover:Rollout:Zzzzzzzz: not a known key; the keys known here are EvaluationInterval, ", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_KeysDifferingOnlyInCase_AreKnown()
    {
        // The binder ignores case; so does the check (Cutover__store__provider from the environment is fine).
        var settings = Valid();
        settings["Cutover:store:provider"] = "sqlite";
        settings["Cutover:Upstreams:unified:timeoutMs"] = "100";

        var (options, errors) = Load(settings);

        Assert.Empty(errors);
        Assert.Equal(100, options!.Upstreams["unified"].TimeoutMs);
    }

    [Fact]
    public void Load_FlushIntervalOutOfRange_NamesKeyAndValue()
    {
        var settings = Valid();
        settings["Cutover:DecisionLog:FlushInterval"] = "00:01:00";

        var (_, errors) = Load(settings);

        Assert.Equal(["Cutover:DecisionLog:FlushInterval: 00:01:00 is outside 00:00:00..00:00:10"], errors);
    }

    [Fact]
    public void Load_SingleValueWhereAListBelongs_NamedNotIgnored()
    {
        var settings = Valid();
        settings["Cutover:Handlers:Expected"] = "jobs-agent";

        var (_, errors) = Load(settings);

        Assert.Equal(["Cutover:Handlers:Expected: expected a list (such as [\"jobs-agent\"]), not the single value 'jobs-agent'"], errors);
    }

    [Theory]
    [InlineData("X-Handled By")]
    [InlineData("X-Agent(1)")]
    [InlineData("X-Agent:")]
    [InlineData("")]
    public void Load_HandlerHeaderNotAToken_Named(string header)
    {
        var settings = Valid();
        settings["Cutover:Handlers:Header"] = header;

        var (_, errors) = Load(settings);

        Assert.Equal([$"Cutover:Handlers:Header: '{header}' is not an HTTP header name"], errors);
    }

    [Fact]
    public void Load_RolloutStepsNotRising_NamesTheStep()
    {
        var settings = Valid();
        settings["Cutover:Rollout:Mode"] = "automatic";
        settings["Cutover:Rollout:Steps:0:Percent"] = "25";
        settings["Cutover:Rollout:Steps:0:Soak"] = "01:00:00";
        settings["Cutover:Rollout:Steps:1:Percent"] = "10";
        settings["Cutover:Rollout:Steps:1:Soak"] = "01:00:00";

        var (_, errors) = Load(settings);

        Assert.Equal(
            ["Cutover:Rollout:Mode: 'automatic' is not one of manual, auto",
             "Cutover:Rollout:Steps:1:Percent: 10 must be above the previous step's 25, at most 100, with at most two decimals"], errors);
    }

    [Fact]
    public void Load_BadNotificationUrl_NamedWithoutRepeatingTheSecret()
    {
        var settings = Valid();
        settings["Cutover:Notifications:Urls:0"] = "hooks.slack.com/services/T000/B000/SECRETSECRET";

        var (_, errors) = Load(settings);

        var error = Assert.Single(errors);
        Assert.StartsWith("Cutover:Notifications:Urls:0: not an absolute http:// or https:// URL", error);
        Assert.DoesNotContain("SECRET", error);
    }

    [Fact]
    public void Load_RetentionOutOfRange_NamesEachKey()
    {
        var settings = Valid();
        settings["Cutover:Retention:Decisions"] = "00:10:00";
        settings["Cutover:Retention:Interval"] = "00:00:01";

        var (_, errors) = Load(settings);

        Assert.Equal(
            ["Cutover:Retention:Decisions: 00:10:00 is outside 01:00:00..3650.00:00:00",
             "Cutover:Retention:Interval: 00:00:01 is outside 00:01:00..1.00:00:00"], errors);
    }

    [Fact]
    public void Load_SharedMemoryKeysOutOfRange_NamesEachKey()
    {
        var settings = Valid();
        settings["Cutover:Memory:Share"] = "always";
        settings["Cutover:Memory:SyncInterval"] = "00:00:00.010";
        settings["Cutover:Memory:ShareQueueCapacity"] = "0";

        var (_, errors) = Load(settings);

        Assert.Equal(
            ["Cutover:Memory:Share: 'always' is not one of auto, on, off",
             "Cutover:Memory:SyncInterval: 00:00:00.0100000 is outside 00:00:00.0500000..00:01:00",
             "Cutover:Memory:ShareQueueCapacity: 0 is outside 1..10000000"], errors);
    }

    [Theory]
    [InlineData("auto", "sqlite", false)]
    [InlineData("auto", "postgres", true)]
    [InlineData("on", "sqlite", true)]
    [InlineData("off", "postgres", false)]
    public void MemoryShare_ByProvider_OnlyAutoFollowsTheStore(string share, string provider, bool shared)
    {
        Assert.True(EnumNameConverter<MemoryShareMode>.TryParse(share, out var mode));
        Assert.True(EnumNameConverter<StoreProvider>.TryParse(provider, out var store));

        Assert.Equal(shared, new MemoryOptions { Share = mode }.IsShared(store));
    }

    [Fact]
    public void Load_Defaults_SharedMemoryAutoEveryHalfSecond()
    {
        var (options, errors) = Load(Valid());

        Assert.Empty(errors);
        Assert.Equal((MemoryShareMode.Auto, TimeSpan.FromMilliseconds(500), 65_536),
            (options!.Memory.Share, options.Memory.SyncInterval, options.Memory.ShareQueueCapacity));
    }

    [Fact]
    public void Load_WrongTypesAnywhere_EveryOneNamedAtOnceAndNoUpstreamVanishes()
    {
        // The binder alone stops at the first bad value, and inside an upstream entry dropped the whole upstream.
        var settings = Valid();
        settings["Cutover:Upstreams:unified:TimeoutMs"] = "ten";
        settings["Cutover:Memory:Ttl"] = "half an hour";
        settings["Cutover:Memory:Capacity"] = "99999999999999";
        settings["Cutover:Store:PollInterval:0"] = "1s";

        var (_, errors) = Load(settings);

        Assert.Equal(
            new[]
            {
                "Cutover:Memory:Capacity: '99999999999999' is not a whole number",
                "Cutover:Memory:Ttl: 'half an hour' is not a duration such as 00:30:00 (hh:mm:ss)",
                "Cutover:Store:PollInterval: expected a duration such as 00:30:00 (hh:mm:ss), not an object or a list",
                "Cutover:Upstreams:unified:TimeoutMs: 'ten' is not a whole number",
            },
            errors.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Domains", "real estate")]
    [InlineData("Domains", "jobs\r\nX-Injected")]
    [InlineData("Upstreams", "légacy")]
    public void Load_NameThatCannotTravelInAHeader_RefusedNamingIt(string section, string name)
    {
        // Domain names go into X-Webhook-Domain: a CR/LF or a non-ASCII letter there reached the upstream or failed every forward.
        var settings = Valid();
        settings[section == "Domains" ? $"Cutover:Domains:{name}:Keywords:en:0" : $"Cutover:Upstreams:{name}:Url"] =
            section == "Domains" ? "villa" : "http://127.0.0.1:9/x";

        var (_, errors) = Load(settings);

        Assert.Contains(errors, e => e.StartsWith($"Cutover:{section}: the name '{name}' is not 1 to 64 letters", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_EmptyProtectedDomainName_Refused()
    {
        var settings = Valid();
        settings["Cutover:ProtectedDomains:0"] = "";

        var (_, errors) = Load(settings);

        Assert.Equal(["Cutover:ProtectedDomains:0 is empty: name a configured domain, or remove the entry"], errors);
    }

    [Fact]
    public void Load_FallbackDomainOnAnotherUpstream_OtherFieldsFollowIt()
    {
        var settings = Valid();
        settings.Remove("Cutover:Upstreams:default:Url");
        settings["Cutover:Upstreams:ai-agents:Url"] = "http://127.0.0.1:9/ai-agents";
        settings["Cutover:Domains:default:Upstream"] = "ai-agents";

        var (options, errors) = Load(settings);

        Assert.Empty(errors);
        Assert.Equal("ai-agents", TopologyFactory.Create(options!).UpstreamOfField("account_update"));
    }

    [Fact]
    public void Load_EnvSecret_ResolvedOrReportedWithoutValue()
    {
        var settings = Valid();
        settings["Cutover:AppSecret"] = "env:META_APP_SECRET";
        settings["Cutover:VerifyToken"] = "env:MISSING_TOKEN";

        var (_, errors) = Load(settings, static name => name == "META_APP_SECRET" ? "s3cr3t-value" : null);
        settings.Remove("Cutover:VerifyToken");
        var (options, _) = Load(settings, static name => name == "META_APP_SECRET" ? "s3cr3t-value" : null);

        Assert.Equal(["Cutover:VerifyToken refers to environment variable MISSING_TOKEN, which is not set"], errors);
        Assert.Equal("s3cr3t-value", options!.AppSecret);
    }

    [Fact]
    public void Load_KeywordInTwoDomains_Refused()
    {
        var settings = Valid();
        settings["Cutover:Domains:jobs:Keywords:en:0"] = "house";

        var (_, errors) = Load(settings);

        Assert.Equal(["Cutover:Domains: keyword 'house' is listed for both jobs and property"], errors);
    }

    [Fact]
    public void Load_DomainKeywordsGiven_ReplaceTheDefaultsWhole()
    {
        var settings = Valid();
        settings["Cutover:Domains:jobs:Keywords:sw:0"] = "kazi";

        var (options, _) = Load(settings);

        Assert.Equal(["sw"], options!.Domains["jobs"].Keywords!.Keys);
        Assert.Equal(["job_", "jobs_"], options.Domains["jobs"].ButtonPrefixes);
    }

    [Fact]
    public void Load_PostgresHashedWithoutHashKey_RefusedSayingWhyAndHowToMakeOne()
    {
        var settings = Valid();
        settings["Cutover:Store:Provider"] = "postgres";
        settings["Cutover:Store:ConnectionString"] = "Host=db;Database=cutover;Username=cutover";

        var (options, errors) = Load(settings);

        Assert.Null(options);
        Assert.Equal(
            ["Cutover:Privacy:HashKey is not set, and PostgreSQL needs it: every instance on the database must hash user keys and message ids "
             + "with the same key, and a key kept in the database would sit beside the hashes it protects. Make one (openssl rand -hex 24), "
             + "keep it in your secret store, and give it as \"HashKey\": \"env:CUTOVER_HASH_KEY\" (or set Privacy:UserKeys to raw). "
             + "A key an earlier version kept in the database (cutover_secrets) is deleted at the first start with a configured key."],
            errors);
    }

    [Theory]
    [InlineData("hashed", "0123456789abcdef0123")]
    [InlineData("raw", null)]
    public void Load_PostgresWithHashKeyOrRawKeys_Accepted(string userKeys, string? hashKey)
    {
        var settings = Valid();
        settings["Cutover:Store:Provider"] = "postgres";
        settings["Cutover:Store:ConnectionString"] = "Host=db;Database=cutover;Username=cutover";
        settings["Cutover:Privacy:UserKeys"] = userKeys;
        settings["Cutover:Privacy:HashKey"] = hashKey;

        Assert.Empty(Load(settings).Errors);
    }

    [Fact]
    public void Load_PostgresHashKeyFromAnUnsetVariable_OneProblemNamingTheVariable()
    {
        var settings = Valid();
        settings["Cutover:Store:Provider"] = "postgres";
        settings["Cutover:Store:ConnectionString"] = "Host=db;Database=cutover;Username=cutover";
        settings["Cutover:Privacy:HashKey"] = "env:CUTOVER_HASH_KEY";

        Assert.Equal(["Cutover:Privacy:HashKey refers to environment variable CUTOVER_HASH_KEY, which is not set"], Load(settings).Errors);
    }

    [Fact]
    public async Task Host_InvalidConfiguration_FailsAtStartNamingTheKey()
    {
        var settings = Valid();
        settings["Cutover:Delivery:Mode"] = "fast";
        settings["Cutover:Store:ConnectionString"] = "Data Source=" + Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.db");
        await using var app = CutoverHost.Build(new CutoverHostOptions { Settings = settings, Listen = "http://127.0.0.1:0", IncludeEnvironment = false });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Cutover:Delivery:Mode: 'fast' is not one of direct, queued", ex.Failures);
    }

    [Fact]
    public async Task Host_HostingRequestLogs_OffByDefault_OnWhenTheLoggingSectionSaysSo()
    {
        // Off by default because, while enabled at any level, ASP.NET Core builds an Activity and a log scope per request.
        const string category = "Microsoft.AspNetCore.Hosting.Diagnostics";
        await using var quiet = CutoverHost.Build(new CutoverHostOptions { Settings = Valid(), Listen = "http://127.0.0.1:0", IncludeEnvironment = false });
        var asked = Valid();
        asked["Logging:LogLevel:" + category] = "Information";
        await using var verbose = CutoverHost.Build(new CutoverHostOptions { Settings = asked, Listen = "http://127.0.0.1:0", IncludeEnvironment = false });

        Assert.False(quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Critical));
        Assert.True(verbose.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Information));
        Assert.True(quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void ExampleConfig_IsValidWithItsSecretsSet()
    {
        var file = Path.Combine(Testing.Corpus.Directory, "..", "..", "..", "examples", "cutover.json");
        var env = new Dictionary<string, string>
        {
            ["META_APP_SECRET"] = "app-secret",
            ["META_VERIFY_TOKEN"] = "verify",
            ["CUTOVER_HASH_KEY"] = "0123456789abcdef0123",
            ["CUTOVER_TOKEN_ALICE"] = "alice-token-0123456789",
            ["CUTOVER_TOKEN_DASHBOARD"] = "dashboard-token-0123456789",
        };

        var (options, errors) = CutoverConfiguration.Load(CutoverConfiguration.Build(file, includeEnvironment: false), n => env.GetValueOrDefault(n));

        Assert.Empty(errors);
        Assert.Contains(RouterTopology.UnifiedUpstream, options!.Upstreams.Keys);
        Assert.Equal(7, options.Domains.Count);
        Assert.Equal(2, options.Admin.Tokens.Count);
    }
}
