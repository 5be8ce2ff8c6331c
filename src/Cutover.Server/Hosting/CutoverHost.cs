using System.Globalization;
using Cutover.Core.Classification;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Server.Admin;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.Dashboard;
using Cutover.Server.DecisionLog;
using Cutover.Server.Delivery;
using Cutover.Server.Health;
using Cutover.Server.HotPath;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Hosting;

/// <summary>Builds the Cutover server: configuration, services, background services and endpoints.</summary>
public static class CutoverHost
{
    private const string WebhookPath = OffSocketThreads.WebhookPath;
    private static readonly TimeSpan ReadyPingTimeout = TimeSpan.FromSeconds(2);

    public static WebApplication Build(CutoverHostOptions host)
    {
        // reloadConfigOnChange=false: the builder's default appsettings.json source would otherwise watch the content root
        // (the working folder, where the SQLite store usually is) and wake a watcher thread for every write to the store.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });

        // Configuration: the file, then Cutover__… environment variables, then explicit settings. Nothing else.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(CutoverConfiguration.Build(host.ConfigFile, host.Settings, host.IncludeEnvironment));
        if (host.Listen is not null)
        {
            // serve --listen wins over the file, and validation must see the address actually bound (the admin API's
            // loopback rule depends on it).
            builder.Configuration.AddInMemoryCollection([new($"{CutoverOptions.SectionName}:{nameof(CutoverOptions.Listen)}", host.Listen)]);
        }

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(builder.Configuration["Cutover:Listen"] ?? CutoverDefaults.Listen);
        builder.WebHost.ConfigureKestrel(static k => k.AddServerHeader = false);
        builder.WebHost.UseSockets(static o => o.UnsafePreferInlineScheduling = InlineCompletions.Enabled);

        builder.Logging.ClearProviders();

        // ASP.NET Core's request start/finish logs, off unless the Logging section turns them on (it is read next, so it
        // wins): while that category is enabled at any level, hosting creates an Activity and a log scope for every
        // request, about 10% of a webhook's allocations. Cutover logs what goes wrong with a webhook itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // One line per entry, as the simple console's single-line mode writes it, but with every control character
        // escaped: a value from outside quoted in a message must not move the cursor, retitle the terminal or forge a line.
        builder.Logging.AddConsole(static o => o.FormatterName = SafeConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<SafeConsoleFormatter, SimpleConsoleFormatterOptions>(static o => o.TimestampFormat = "HH:mm:ss ");

        // A storm of per-webhook warnings (an upstream down at peak) must not stall webhooks behind a slow standard output,
        // least of all on a socket thread: past the console's queue, lines are dropped, and the console says how many.
        builder.Services.Configure<ConsoleLoggerOptions>(static o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        host.ConfigureLogging?.Invoke(builder.Logging);

        var webServer = builder.Services.ToHashSet();
        AddServices(builder.Services, host.Time ?? TimeProvider.System);
        builder.Services.AddCutoverTelemetry(builder.Configuration);
        host.ConfigureServices?.Invoke(builder.Services);
        OffSocketThreads.Apply(builder.Services, except: webServer);

        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, TimeProvider time)
    {
        services.AddSingleton(time);
        services.AddOptions<CutoverOptions>()
            .Configure<IConfiguration>(static (o, c) => CutoverConfiguration.Populate(o, c, Environment.GetEnvironmentVariable))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CutoverOptions>, CutoverOptionsValidator>();

        // The webhook's own limit (Ingress:MaxBodyBytes) is enforced while reading; this caps every other endpoint.
        services.Configure<KestrelServerOptions>(static k => k.Limits.MaxRequestBodySize = CutoverDefaults.MaxBodyBytesLimit + 1L);

        services.AddSingleton(static sp => TopologyFactory.Create(sp.GetRequiredService<IOptions<CutoverOptions>>().Value));
        services.AddSingleton(static sp =>
        {
            var store = sp.GetRequiredService<IOptions<CutoverOptions>>().Value.Store;
            return StoreFactory.Open(store.ProviderName, store.ConnectionString, sp.GetRequiredService<TimeProvider>());
        });

        // Each service takes the role of the store it uses; every role is the one store (which disposes only once,
        // however many registrations the container disposes it through).
        services.AddSingleton<IStoreDatabase>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IRoutingStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IDecisionStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IStatsStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IHealthStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IRolloutStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IClusterStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<IDeliveryStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton<ISecretStore>(static sp => sp.GetRequiredService<ICutoverStore>());
        services.AddSingleton(static sp =>
        {
            var memory = sp.GetRequiredService<IOptions<CutoverOptions>>().Value.Memory;
            return new ConversationMemory(memory.Capacity, memory.Ttl);
        });
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<StoreAvailability>();
        services.AddSingleton<RolloutLeadership>();
        services.AddSingleton<SharedConversationMemory>();
        services.AddSingleton<IConversationMemory>(static sp => SharesMemory(sp)
            ? sp.GetRequiredService<SharedConversationMemory>()
            : sp.GetRequiredService<ConversationMemory>());
        services.AddSingleton<SharedIdentities>();
        services.AddSingleton(static sp => new RoutingMemory(
            sp.GetRequiredService<IConversationMemory>(),
            sp.GetRequiredService<SharedIdentities>().Map,
            sp.GetRequiredService<IOptions<CutoverOptions>>().Value.Memory.ConversationWindow));
        services.AddSingleton<RoutingStateHolder>();
        services.AddSingleton<UserKeyProtection>();
        services.AddSingleton<RoutingService>();
        services.AddSingleton<CutoverMetrics>();
        services.AddSingleton<DecisionLogQueue>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<QueuedIngest>();
        services.AddSingleton<UpstreamGates>();
        services.AddSingleton<DeliveryOutcomes>();
        services.AddSingleton<Deliverer>();
        services.AddSingleton<WebhookPipeline>();
        services.AddSingleton<VerifyHandshake>();
        services.AddSingleton<AdminAuthenticator>();
        services.AddSingleton<SecurityWarnings>();
        services.AddSingleton<StatsService>();
        services.AddSingleton<ProbeService>();
        services.AddHostedService(static sp => sp.GetRequiredService<ProbeService>());
        services.AddSingleton<HealthService>();
        services.AddSingleton<RolloutNotifier>();
        services.AddHostedService(static sp => sp.GetRequiredService<RolloutNotifier>());
        services.AddSingleton<RolloutService>();
        services.AddAdminApi();
        services.AddSingleton<SummaryHandler>();
        services.AddSingleton(new ServerClock(time)); // made now: resolved lazily, it would say when status was first asked for

        // Order matters: the initializer (migrate, load state) starts before the writer and the poller.
        services.AddHostedService<CutoverInitializer>();
        services.AddSingleton<IdentitySync>();
        services.AddHostedService(static sp => sp.GetRequiredService<IdentitySync>());
        services.AddHostedService<DecisionLogWriter>();
        services.AddHostedService<RoutingRefresher>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(static sp => sp.GetRequiredService<RetentionService>());
        services.AddHostedService<RolloutController>();
        services.AddSingleton<ConversationSync>();
        services.AddHostedService(static sp => sp.GetRequiredService<ConversationSync>());
        services.AddSingleton<DeliveryWorker>();
        services.AddHostedService(static sp => sp.GetRequiredService<DeliveryWorker>());
        services.AddSingleton<DeliveryMonitor>();
        services.AddHostedService(static sp => sp.GetRequiredService<DeliveryMonitor>());
        services.AddSingleton<StateGauges>();
        services.AddHostedService(static sp => sp.GetRequiredService<StateGauges>());
    }

    /// <summary>Whether <c>Memory:Share</c> (and, for <c>auto</c>, the store provider) turns shared conversation memory on.</summary>
    private static bool SharesMemory(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CutoverOptions>>().Value;
        return options.Memory.IsShared(options.Store.Provider);
    }

    private static void MapEndpoints(WebApplication app)
    {
        // First of all: Kestrel has already decoded and collapsed the path, so only the raw target shows a '..' that
        // would walk past a front proxy's path rule.
        app.Use(PathGuard.CheckAsync);
        app.Use(OffSocketThreads.Requests);

        // The admin policies (AdminPolicies), here so that they run off the socket threads and after the path guard
        // (left to the host, the middleware would be put first).
        app.UseAuthorization();

        // Singletons, resolved on the first webhook (after start-up validated the options) from the root provider:
        // context.RequestServices would create a DI scope for every webhook.
        WebhookPipeline? pipeline = null;
        RoutingStateHolder? holder = null;
        app.MapPost(WebhookPath, (RequestDelegate)(context =>
        {
            pipeline ??= app.Services.GetRequiredService<WebhookPipeline>();
            holder ??= app.Services.GetRequiredService<RoutingStateHolder>();
            if (!holder.IsReady)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return pipeline.HandleAsync(context);
        }));
        app.MapGet(WebhookPath, static (HttpContext c, VerifyHandshake v) => v.Handle(c));
        app.MapGet("/healthz", static () => Results.Text("ok"));
        app.MapGet("/readyz", static (HttpContext c, RoutingStateHolder holder, IStoreDatabase store, StoreAvailability availability,
            InstanceIdentity instance, SecurityWarnings warnings) => ReadyAsync(c, holder, store, availability, instance, warnings));
        app.MapGet("/", static (HttpContext c, SummaryHandler summary) => summary.HandleAsync(c));
        AdminApi.Map(app);
        DashboardPage.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>
    /// 503 only until the routing state was first loaded. After that the answer is 200: <c>ready</c> when the store
    /// answers, or <c>degraded</c> with the reasons when it does not, because routing goes on from memory and a load
    /// balancer must not take every instance out at once because the database is down. The plain text <c>ready</c>
    /// becomes JSON (<c>{"status":"ready","warnings":[…]}</c>) when the set-up is insecure: still 200, but said where
    /// whoever watches the probes will see it.
    /// </summary>
    private static async Task<IResult> ReadyAsync(
        HttpContext context, RoutingStateHolder holder, IStoreDatabase store, StoreAvailability availability, InstanceIdentity instance,
        SecurityWarnings warnings)
    {
        if (!holder.IsReady)
        {
            return Results.Json(new ErrorBody("starting", "the routing state is not loaded yet"), ServerJson.Default.ErrorBody, statusCode: 503);
        }

        // A probe must answer quickly even when the database hangs: a ping that takes longer counts as a failure.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ReadyPingTimeout);
        try
        {
            await store.PingAsync(timeout.Token);
            availability.Succeeded(StoreAvailability.Ping);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            availability.Failed(StoreAvailability.Ping, ex);
        }

        if (!availability.IsDegraded)
        {
            return warnings.All.Count == 0
                ? Results.Text("ready")
                : Results.Json(new ReadinessResponse("ready", [], instance.Id, warnings.All), ServerJson.Default.ReadinessResponse);
        }

        List<string> reasons = [.. availability.Failures.Select(static f =>
            $"store ({f.Component}): failing since {f.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} "
            + $"({f.Count} failed calls, last: {f.Error})")];
        return Results.Json(new ReadinessResponse("degraded", reasons, instance.Id, warnings.All), ServerJson.Default.ReadinessResponse);
    }
}
