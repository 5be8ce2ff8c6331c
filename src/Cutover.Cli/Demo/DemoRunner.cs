using System.Diagnostics;
using System.Security.Cryptography;
using Cutover.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cutover.Cli.Demo;

/// <summary>
/// <c>cutover demo</c>: a router on a temporary SQLite store with simulated handlers and signed traffic from thousands
/// of users, walking the runbooks' whole rollout plan at accelerated time (see <see cref="DemoWalk"/>). Two hours into
/// 35% it breaks unified; the controller rolls back by itself; an hour later the demo fixes unified and resumes as an
/// operator would, and the plan runs to the end, shown live on a terminal or as plain lines elsewhere. With
/// <c>--delivery queued</c> the same router, handlers and traffic tell queued delivery's story instead (see
/// <see cref="QueuedWalk"/>).
/// </summary>
/// With <c>--dashboard</c> the router and its dashboard stay up after the story, until Ctrl-C.
internal sealed class DemoRunner(CliContext context, int users, DemoDelivery delivery, bool dashboard = false)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var console = context.Console;
        var real = Stopwatch.StartNew();
        var directory = Directory.CreateTempSubdirectory("cutover-demo-");
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        // The queued demo never advances it: its outages, retries and backlog are in real time.
        var clock = new DemoClock();
        try
        {
            await using var upstreams = await DemoUpstreams.StartAsync(cancellationToken);
            var generator = new TrafficGenerator(users, seed: 2026);
            var settings = delivery == DemoDelivery.Queued ? QueuedScenario.Settings() : DirectSettings(generator);
            settings["Cutover:AppSecret"] = secret;
            settings["Cutover:Store:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "cutover.db")}";
            settings["Logging:LogLevel:Default"] = "Warning";
            foreach (var name in DemoUpstreams.Names)
            {
                settings[$"Cutover:Upstreams:{name}:Url"] = upstreams.UrlOf(name);
            }

            // On a terminal the router's log waits while the live view is drawn, then is written whole (see HeldLogs).
            var output = new DemoOutput(console, context.Out);
            using var held = output.Live ? new HeldLogs() : null;
            await using var router = CutoverHost.Build(new CutoverHostOptions
            {
                Settings = settings,
                Listen = "http://127.0.0.1:0",
                IncludeEnvironment = false,
                Time = clock,
                ConfigureLogging = l =>
                {
                    l.SetMinimumLevel(LogLevel.Warning);

                    // The injected fault makes the hot path warn at every failed unified call; the demo shows the fault
                    // itself. Whatever else is logged goes to stderr, not into the view or the lines on stdout.
                    l.AddFilter("Cutover.Server.HotPath", LogLevel.Error);

                    // Likewise the queued demo's outages make the deliverer warn at every failed attempt and dead letter.
                    l.AddFilter("Cutover.Server.Delivery", LogLevel.Error);
                    l.Services.Configure<ConsoleLoggerOptions>(static o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                    if (held is not null)
                    {
                        l.ClearProviders();
                        l.AddProvider(held);
                    }
                },
            });
            await router.StartAsync(cancellationToken);
            var address = new Uri(router.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

            var ok = delivery == DemoDelivery.Queued
                ? await QueuedAsync(router.Services, address, upstreams, generator, secret, output, held, real, cancellationToken)
                : await DirectAsync(router.Services, address, upstreams, generator, secret, clock, output, held, real, cancellationToken);
            if (dashboard)
            {
                // The host's own Ctrl+C/SIGTERM handling stops it, as it does serve's; the store's file goes after.
                output.Text($"Dashboard: {new Uri(address, "dashboard")} (the router stays up with the demo's figures and history; Ctrl-C to stop)");
                await context.Out.FlushAsync(cancellationToken);
                await router.WaitForShutdownAsync(CancellationToken.None);
            }

            await router.StopAsync(CancellationToken.None);
            held?.WriteTo(context.Error);
            return ok ? ExitCodes.Ok : ExitCodes.Software;
        }
        finally
        {
            // The router, disposed by now, disposed its store, which let go of the file.
            directory.Delete(recursive: true);
        }
    }

    private static TimeSpan PlanLength { get; } = TimeSpan.FromTicks(DemoScenario.Steps.Sum(static s => s.Soak.Ticks));

    private static Dictionary<string, string?> DirectSettings(TrafficGenerator generator)
    {
        var smallestDomain = generator.Users.Where(static u => DemoScenario.RoutableDomains.Contains(u.Domain))
            .GroupBy(static u => u.Domain).Select(static g => g.Count()).DefaultIfEmpty(0).Min();
        return DemoScenario.Settings(smallestDomain);
    }

    /// <summary>The rollout plan at accelerated time (<see cref="DemoWalk"/>); true when every check held.</summary>
    private async Task<bool> DirectAsync(
        IServiceProvider services, Uri address, DemoUpstreams upstreams, TrafficGenerator generator, string secret, DemoClock clock, DemoOutput output,
        HeldLogs? held, Stopwatch real, CancellationToken cancellationToken)
    {
        output.Line("[bold]Cutover demo[/]: the runbooks' rollout plan, 10% → 25% → 35% → 50% → 75% → 100% of users on the unified handler, at accelerated time.");
        output.Line($"Router on {address} with a temporary SQLite store; simulated handlers on {upstreams.Address};");
        output.Line($"{users:N0} simulated users writing in English, French and Kinyarwanda, signed as Meta signs.");
        output.Line($"Every {DemoFormat.Duration(DemoScenario.Interval)} of simulated time: {DemoScenario.PostsPerLook} webhooks, then one look of the "
            + $"rollout controller (auto mode, {DemoFormat.Duration(PlanLength)} of soaks in all). {DemoFormat.Duration(DemoScenario.FaultAfter)} into 35%, "
            + $"unified starts failing {DemoScenario.FaultPercent} of its requests.");
        output.Line();

        using var sender = new TrafficSender(address, generator, secret);
        var walk = new DemoWalk(services, clock, upstreams, sender, real);
        IDemoView view = output.Live ? new LiveDemoView(output.Console, PlanLength) : new PlainDemoView(output);
        await view.RunAsync(() => walk.RunAsync(view, cancellationToken));
        held?.WriteTo(context.Error);

        var ok = await walk.SummarizeAsync(output, cancellationToken);
        output.Line($"Done in {DemoFormat.Seconds(real.Elapsed)} for {DemoFormat.Duration(walk.Simulated)} of simulated time. Next: run [bold]cutover init[/], "
            + "put your handlers' URLs in the cutover.json it writes, set the secrets it names and run [bold]cutover serve --config cutover.json[/].");
        return ok;
    }

    /// <summary>Outages under queued delivery in real time (<see cref="QueuedWalk"/>); true when nothing acknowledged was lost.</summary>
    private async Task<bool> QueuedAsync(
        IServiceProvider services, Uri address, DemoUpstreams upstreams, TrafficGenerator generator, string secret, DemoOutput output,
        HeldLogs? held, Stopwatch real, CancellationToken cancellationToken)
    {
        output.Line("[bold]Cutover demo, queued delivery[/]: every webhook stored and answered 200 at once, then delivered with retries, fallback and dead letters.");
        output.Line($"Router on {address} with a temporary SQLite store; simulated handlers on {upstreams.Address};");
        output.Line($"{users:N0} simulated users writing in English, French and Kinyarwanda, signed as Meta signs; "
            + $"{DemoFormat.Percent(QueuedScenario.UnifiedPercent)} of the routable domains' users on unified.");
        output.Line($"Real time: {QueuedScenario.PostsPerTick} webhooks every {QueuedScenario.Tick.TotalMilliseconds:0} ms; retries from "
            + $"{QueuedScenario.RetryBase.TotalMilliseconds:0} ms to {QueuedScenario.RetryCap.TotalSeconds:0.#} s, {QueuedScenario.MaxAttempts} attempts, then a dead letter. "
            + $"Phases: {string.Join(" → ", QueuedScenario.Phases.Select(static p => p.Name))} → drain → replay.");
        output.Line();

        using var sender = new TrafficSender(address, generator, secret);
        var walk = new QueuedWalk(services, upstreams, sender, real);
        IQueuedView view = output.Live ? new LiveQueuedView(output.Console) : new PlainQueuedView(output);
        await view.RunAsync(() => walk.RunAsync(view, cancellationToken));
        held?.WriteTo(context.Error);

        var ok = walk.Summarize(output);
        output.Line($"Done in {DemoFormat.Seconds(real.Elapsed)}. Next: run [bold]cutover init[/], put your handlers' URLs in the cutover.json it "
            + "writes, set the secrets it names and [bold]Delivery:Mode[/] to queued and run [bold]cutover serve --config cutover.json[/].");
        return ok;
    }
}
