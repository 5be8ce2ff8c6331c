using System.Globalization;
using System.Text;
using System.Text.Json;
using Cutover.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>GET /admin/events</c> (read): server-sent events for the dashboard. A <c>change</c> event when the routing state,
/// the rollout, the audit trail or health's verdict differs from the last one sent (and one at once on connecting), and a
/// <c>heartbeat</c> every few seconds otherwise, so a page sees a dead stream and a proxy does not close an idle one.
/// </summary>
internal sealed class EventEndpoints(ChangeWatch watch, IHostApplicationLifetime lifetime, TimeProvider time)
{
    public const string ContentType = "text/event-stream";

    /// <summary>How often the stream looks for a change: a second, as <see cref="ChangeWatch"/> shares its reading.</summary>
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    public static void Map(RouteGroupBuilder group)
    {
        var (read, _) = AdminPolicies.Split(group);
        read.MapGet("/events", static (HttpContext c, EventEndpoints api) => api.StreamAsync(c));
    }

    public async Task StreamAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // a proxy that buffers answers would hold every event back
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // The host's stop ends the stream too: an open dashboard must not hold a shutdown for its whole timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        try
        {
            await WriteAsync(response, "retry: 3000\n\n", ct);
            ChangeEventView? sent = null;
            var quietSince = time.GetUtcNow();
            while (!ct.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var current = await watch.ReadAsync(ct);
                if (current != sent)
                {
                    await WriteAsync(response, $"event: change\ndata: {JsonSerializer.Serialize(current, ServerJson.Default.ChangeEventView)}\n\n", ct);
                    sent = current;
                    quietSince = now;
                }
                else if (now - quietSince >= HeartbeatEvery)
                {
                    var at = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                    await WriteAsync(response, $"event: heartbeat\ndata: {{\"at\":\"{at}\"}}\n\n", ct);
                    quietSince = now;
                }

                await Task.Delay(LookEvery, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page went away or the host stops: the stream simply ends.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
