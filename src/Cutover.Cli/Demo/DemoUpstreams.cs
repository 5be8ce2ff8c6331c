using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Cli.Demo;

/// <summary>
/// Simulated handlers on one loopback port: <c>POST /{name}</c> for unified and each legacy upstream.
/// Each answers 200 and names the agent that handled the update in <c>X-Handled-By</c>, like the real
/// handlers; unified can be told to fail a share of its requests, to show fallback and the automatic rollback, and any
/// of them can be taken down (503 to everything), to show queued delivery's retries and dead letters. What each took
/// is counted by <c>X-Idempotency-Key</c>, so the queued demo can prove nothing acknowledged was lost.
/// </summary>
internal sealed class DemoUpstreams : IAsyncDisposable
{
    public static readonly string[] Names = ["unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default"];

    private readonly WebApplication _app;
    private long _unifiedRequests;
    private volatile IReadOnlySet<string> _down = new HashSet<string>(StringComparer.Ordinal);

    private DemoUpstreams(WebApplication app, string address)
    {
        _app = app;
        Address = address.TrimEnd('/');
    }

    public string Address { get; }

    public ConcurrentDictionary<string, long> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>Times each <c>X-Idempotency-Key</c> was taken (answered 200) by any handler: more than once is a duplicate.</summary>
    public ConcurrentDictionary<string, int> Taken { get; } = new(StringComparer.Ordinal);

    /// <summary>The handlers that are down now: they answer 503 to every request (and take nothing).</summary>
    public IReadOnlySet<string> Down => _down;

    /// <summary>
    /// The share of requests (0 to 1) unified answers 503 to: a bad deploy that fails some requests, not all, so the
    /// router's fallback keeps every update delivered while health sees the errors.
    /// </summary>
    public double UnifiedFailureShare { get; set; }

    public string UrlOf(string name) => $"{Address}/{name}";

    /// <summary>Takes <paramref name="names"/> down and brings every other handler up.</summary>
    public void SetDown(params IEnumerable<string> names) => _down = new HashSet<string>(names, StringComparer.Ordinal);

    public static async Task<DemoUpstreams> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        DemoUpstreams? self = null;
        app.MapPost("/{name}", async (HttpContext context, string name) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            self!.Received.AddOrUpdate(name, 1, static (_, n) => n + 1);
            if (self.Down.Contains(name) || (name == "unified" && self.FailsNext()))
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            if (context.Request.Headers["X-Idempotency-Key"] is [{ } key, ..])
            {
                self.Taken.AddOrUpdate(key, 1, static (_, n) => n + 1);
            }

            context.Response.Headers["X-Handled-By"] = name == "unified" ? AgentOf(context.Request.Headers["X-Webhook-Domain"]) : name;
            return Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new DemoUpstreams(app, address);
        return self;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>
    /// Whether this unified request fails: spread evenly rather than drawn at random, so every burst fails the same
    /// share and the demo tells the same story each run.
    /// </summary>
    private bool FailsNext()
    {
        var share = UnifiedFailureShare;
        if (share <= 0)
        {
            return false;
        }

        var n = Interlocked.Increment(ref _unifiedRequests);
        return Math.Floor(n * share) > Math.Floor((n - 1) * share);
    }

    private static string AgentOf(string? domains) => domains?.Split(',')[0] switch
    {
        "jobs" => "jobs",
        "marketplace" => "marketplace",
        "property" => "property",
        _ => "support",
    };
}
