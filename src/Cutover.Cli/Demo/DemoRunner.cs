using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Cutover.Core.Decisions;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.Hosting;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Cutover.Cli.Demo;

/// <summary>
/// <c>cutover demo</c>: a router on a temporary SQLite store, simulated handlers, signed traffic from
/// thousands of users; routes at 10% then 50% through the admin API, as an operator would, and shows
/// the split per domain and route from the decision log.
/// </summary>
internal sealed class DemoRunner(CliContext context, int users)
{
    private const int Concurrency = 16;
    private static readonly string[] Protected = ["mobility", "profile", "insurance"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var console = context.Console;
        var clock = Stopwatch.StartNew();
        var directory = Directory.CreateTempSubdirectory("cutover-demo-");
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        try
        {
            await using var upstreams = await DemoUpstreams.StartAsync(cancellationToken);
            var settings = new Dictionary<string, string?>
            {
                ["Cutover:AppSecret"] = secret,
                ["Cutover:Store:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "cutover.db")}",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            foreach (var name in DemoUpstreams.Names)
            {
                settings[$"Cutover:Upstreams:{name}:Url"] = upstreams.UrlOf(name);
            }

            await using var router = CutoverHost.Build(new CutoverHostOptions
            {
                Settings = settings,
                Listen = "http://127.0.0.1:0",
                IncludeEnvironment = false,
                ConfigureLogging = static l => l.SetMinimumLevel(LogLevel.Warning),
            });
            await router.StartAsync(cancellationToken);
            var address = new Uri(router.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var store = router.Services.GetRequiredService<ICutoverStore>();

            console.MarkupLine("[bold]Cutover demo[/]: moving WhatsApp webhook traffic to a unified handler, a percentage at a time.");
            console.WriteLine($"Router on {address} with a temporary SQLite store; simulated handlers on {upstreams.Address};");
            console.WriteLine($"{users:N0} simulated users writing in English, French and Kinyarwanda, signed as Meta signs.");
            console.WriteLine();

            using var admin = new AdminClient(address, token: null);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address };
            var generator = new TrafficGenerator(users, seed: 2026);
            var signer = new WebhookSignature(secret);
            var posts = Math.Max(users, 200);

            var first = await PhaseAsync("10", "demo: first step, as in the runbook's week 6 day 3", posts);
            var second = await PhaseAsync("50", "demo: 10% looked healthy", posts);

            // Stickiness: a user unified at 10% in a routable domain is still unified at 50%.
            var movedBack = first.UnifiedUsers.Count(u => second.LegacyUsers.Contains(u));
            var joined = second.UnifiedUsers.Count(u => !first.UnifiedUsers.Contains(u));
            console.WriteLine();
            console.MarkupLine($"Sticky users: {first.UnifiedUsers.Count:N0} users were on unified at 10%; at 50% [bold]{movedBack}[/] of them went back to legacy, and {joined:N0} more joined.");
            var history = await admin.GetAsync("admin/history?limit=10", ServerJson.Default.HistoryResponse, cancellationToken);
            console.WriteLine("Audit trail (cutover history):");
            Output.Render.History(console, history.Events);
            console.MarkupLine($"Done in {clock.Elapsed.TotalSeconds:0.0} s. Next: copy examples/cutover.json, put your upstreams in it, set its secrets (see the README) and run [bold]cutover serve --config cutover.json[/].");
            await router.StopAsync(CancellationToken.None);
            return movedBack == 0 && first.ProtectedUnified == 0 && second.ProtectedUnified == 0 ? ExitCodes.Ok : ExitCodes.Software;

            async Task<PhaseResult> PhaseAsync(string percent, string reason, int count)
            {
                var change = await admin.SendAsync(HttpMethod.Put, "admin/routing",
                    new RoutingRequest(System.Text.Json.JsonDocument.Parse(percent).RootElement.Clone(), null, null, reason),
                    ServerJson.Default.RoutingRequest, ServerJson.Default.ChangeResponse, cancellationToken);
                console.MarkupLine($"[bold]cutover set {percent} --reason \"{Markup.Escape(reason)}\"[/] → version {change.Status.Version}");

                var since = TimeProvider.System.GetUtcNow();
                var batch = generator.NextPosts(count);
                var expected = batch.Sum(static p => p.Updates);
                var answers = new int[600];
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
                    async (post, ct) =>
                    {
                        using var content = new ByteArrayContent(post.Body);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        content.Headers.Add(WebhookSignature.HeaderName, signer.Sign(post.Body));
                        using var response = await http.PostAsync("webhook", content, ct);
                        Interlocked.Increment(ref answers[Math.Clamp((int)response.StatusCode, 0, 599)]);
                    });

                await WaitForLogAsync(expected);
                var decisions = (await store.QueryDecisionsAsync(new DecisionQuery(Limit: 1_000_000, Since: since), cancellationToken))
                    .Where(d => d.At >= since).ToList();
                console.WriteLine($"Sent {batch.Count:N0} POSTs ({expected:N0} updates): {answers[200]:N0} answered 200, {batch.Count - answers[200]:N0} otherwise.");
                var result = Summarize(decisions);
                console.Write(Table(percent, decisions));
                console.MarkupLine(result.ProtectedUnified == 0
                    ? "Protected domains (mobility, profile, insurance): [green]0 updates to unified[/]."
                    : $"[red]Protected domains sent {result.ProtectedUnified} updates to unified[/].");
                return result;
            }

            async Task WaitForLogAsync(long expected)
            {
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    var status = await admin.GetAsync("admin/status", ServerJson.Default.StatusResponse, cancellationToken);
                    var log = status.DecisionLog;
                    if (log.Queued == 0 && log.Written + log.Dropped + log.Failed >= WrittenBefore + expected)
                    {
                        WrittenBefore = log.Written + log.Dropped + log.Failed;
                        return;
                    }

                    await Task.Delay(50, cancellationToken);
                }

                throw new CliException(ExitCodes.Software, "the decision log did not catch up within 30 s");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private long WrittenBefore { get; set; }

    private static PhaseResult Summarize(List<DecisionRecord> decisions)
    {
        var routable = decisions.Where(static d => d.Rule != Core.Classification.ClassificationRule.Fallback && d.UserKey is not null
            && !Protected.Contains(d.Domain) && d.Domain != RouterTopology.FallbackDomain).ToList();
        return new PhaseResult(
            routable.Where(static d => d.Route == Route.Unified).Select(static d => d.UserKey!).ToHashSet(StringComparer.Ordinal),
            routable.Where(static d => d.Route == Route.Legacy).Select(static d => d.UserKey!).ToHashSet(StringComparer.Ordinal),
            decisions.Count(static d => d.Route == Route.Unified && Protected.Contains(d.Domain)));
    }

    private static Table Table(string percent, List<DecisionRecord> decisions)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Routed at {percent}%, from the decision log")
            .AddColumn("Domain").AddColumn(new TableColumn("Legacy").RightAligned()).AddColumn(new TableColumn("Unified").RightAligned())
            .AddColumn(new TableColumn("Unified share").RightAligned()).AddColumn(new TableColumn("Errors").RightAligned()).AddColumn("Note");
        foreach (var group in decisions.GroupBy(static d => d.Domain).OrderBy(static g => g.Key, StringComparer.Ordinal))
        {
            var unified = group.Count(static d => d.Route == Route.Unified);
            var total = group.Count();
            var note = Protected.Contains(group.Key) ? "protected: never routed" : group.Key == RouterTopology.FallbackDomain ? "no match: fallback, not routable" : string.Empty;
            table.AddRow(
                new Text(group.Key),
                new Text((total - unified).ToString("N0", CultureInfo.InvariantCulture)),
                new Text(unified.ToString("N0", CultureInfo.InvariantCulture)),
                new Text((100.0 * unified / total).ToString("0.0", CultureInfo.InvariantCulture) + "%"),
                new Text(group.Count(static d => !d.Success).ToString("N0", CultureInfo.InvariantCulture)),
                new Text(note));
        }

        return table;
    }

    private sealed record PhaseResult(HashSet<string> UnifiedUsers, HashSet<string> LegacyUsers, int ProtectedUnified);
}
