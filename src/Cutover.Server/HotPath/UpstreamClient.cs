using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cutover.Core.Delivery;
using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Cutover.Server.HotPath;

/// <summary>
/// Sends webhook bytes to named upstreams over one long-lived, pooled <see cref="HttpMessageInvoker"/>.
/// Failures come back as a <see cref="ForwardError"/>; nothing is thrown for an upstream's fault.
/// </summary>
internal sealed class UpstreamClient : IDisposable
{
    // Upstreams answer a webhook with a few bytes; more than this is not worth reading to keep the connection.
    private const int MaxDrainBytes = 64 * 1024;

    private readonly HttpMessageInvoker _invoker;
    private readonly FrozenDictionary<string, Target> _targets;
    private readonly TimeProvider _time;
    private readonly string _handlerHeader;

    public UpstreamClient(IOptions<CutoverOptions> options, TimeProvider time)
    {
        _time = time;
        _handlerHeader = options.Value.Handlers.Header;
        _targets = options.Value.Upstreams.ToFrozenDictionary(
            static u => u.Key,
            static u => new Target(new Uri(u.Value.Url!, UriKind.Absolute), TimeSpan.FromMilliseconds(u.Value.TimeoutMs)),
            StringComparer.Ordinal);
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            EnableMultipleHttp2Connections = true,

            // No propagation by the handler (nor its own HttpClient activity): the forward's own activity is the
            // parent the upstream should see, and its traceparent is set below, with the other headers, only while
            // something listens.
            ActivityHeadersPropagator = null,
        }, disposeHandler: true);
    }

    /// <remarks>
    /// Not async itself: while nothing listens to <see cref="CutoverActivities.Source"/> it hands back the send as it is,
    /// so tracing being possible costs the hot path no state machine and no allocation.
    /// </remarks>
    public ValueTask<ForwardResult> SendAsync(string upstream, ReadOnlyMemory<byte> body, OutboundHeaders headers) =>
        CutoverActivities.Source.HasListeners() ? SendTracedAsync(upstream, body, headers) : SendCoreAsync(upstream, body, headers);

    /// <summary>The send inside a forward activity: a child of the webhook's (or the queued attempt's), whose id goes out as <c>traceparent</c>.</summary>
    private async ValueTask<ForwardResult> SendTracedAsync(string upstream, ReadOnlyMemory<byte> body, OutboundHeaders headers)
    {
        using var activity = CutoverActivities.Source.StartActivity(CutoverActivities.Forward, ActivityKind.Client);
        if (activity is null)
        {
            return await SendCoreAsync(upstream, body, headers);
        }

        activity.SetTag(CutoverActivities.CorrelationIdTag, headers.CorrelationId);
        activity.SetTag(CutoverActivities.UpstreamTag, upstream);
        activity.SetTag(CutoverActivities.RouteTag, headers.Route);
        var result = await SendCoreAsync(upstream, body, headers with { TraceParent = CutoverActivities.TraceParentOf(activity) });
        activity.SetTag(CutoverActivities.OutcomeTag, result.Outcome);
        if (result.StatusCode != 0)
        {
            activity.SetTag(CutoverActivities.StatusCodeTag, result.StatusCode);
        }

        activity.SetStatus(result.Delivered ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.Delivered ? null : result.Outcome);
        return result;
    }

    private async ValueTask<ForwardResult> SendCoreAsync(string upstream, ReadOnlyMemory<byte> body, OutboundHeaders headers)
    {
        var target = _targets[upstream];
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(target.Timeout, _time);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ReadOnlyMemoryContent(body),
        };
        // Without validation because every value is safe by construction and checked once, in OutboundHeaders: the
        // validating Add would parse each value again on every forward.
        headers.EnsureSafe();
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var h = request.Headers;
        if (headers.Signature is not null)
        {
            h.TryAddWithoutValidation(HeaderNames.Signature, headers.Signature);
        }

        h.TryAddWithoutValidation(HeaderNames.CorrelationId, headers.CorrelationId);
        h.TryAddWithoutValidation(HeaderNames.WebhookDomain, headers.Domains);
        h.TryAddWithoutValidation(HeaderNames.RoutedFrom, HeaderNames.RoutedFromValue);
        h.TryAddWithoutValidation(HeaderNames.Route, headers.Route);
        if (headers.IdempotencyKey is not null)
        {
            h.TryAddWithoutValidation(HeaderNames.IdempotencyKey, headers.IdempotencyKey);
        }

        if (headers.TraceParent is not null)
        {
            h.TryAddWithoutValidation(HeaderNames.TraceParent, headers.TraceParent);
        }

        if (headers.Attempt > 0)
        {
            h.TryAddWithoutValidation(HeaderNames.Attempt, headers.Attempt.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using var response = await _invoker.SendAsync(request, timeout.Token);
            var handler = response.Headers.NonValidated.TryGetValues(_handlerHeader, out var values) ? HandlerName(values.ToString()) : null;
            await DrainAsync(response, timeout.Token);
            var status = (int)response.StatusCode;
            var error = status switch
            {
                >= 200 and < 300 => ForwardError.None,
                408 or 429 => ForwardError.Overloaded,
                413 or 414 or 431 => ForwardError.TooLarge,
                >= 500 => ForwardError.ServerError,
                _ => ForwardError.Rejected,
            };
            var retryAfter = RetryAfter.AppliesTo(status) && response.Headers.NonValidated.TryGetValues("Retry-After", out var asked)
                ? RetryAfter.Parse(asked.ToString(), _time.GetUtcNow())
                : null;
            return new ForwardResult(error, status, string.IsNullOrEmpty(handler) ? null : handler, _time.GetElapsedTime(started), null, retryAfter);
        }
        catch (OperationCanceledException ex)
        {
            // Nothing else cancels a forward: either the upstream's TimeoutMs, or the handler's 5 s ConnectTimeout, which
            // SocketsHttpHandler throws as a TaskCanceledException of its own (this escaped as a 500 on a loaded machine).
            var error = timeout.IsCancellationRequested ? ForwardError.TimedOut : ForwardError.ConnectFailed;
            return new ForwardResult(error, 0, null, _time.GetElapsedTime(started), ex);
        }
        catch (HttpRequestException ex)
        {
            var error = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                ? ForwardError.ConnectFailed
                : ForwardError.RequestFailed;
            return new ForwardResult(error, 0, null, _time.GetElapsedTime(started), ex);
        }
        catch (IOException ex)
        {
            return new ForwardResult(ForwardError.RequestFailed, 0, null, _time.GetElapsedTime(started), ex);
        }
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>Reads the (small) response body to its end so the connection goes back to the pool.</summary>
    private static async ValueTask DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            // The response's stream is already there: the synchronous call returns it without a Task (it does not block:
            // SocketsHttpHandler has the headers, and the content is the connection's stream, read below asynchronously).
#pragma warning disable CA1849 // see above: returns the stream in hand, waits for nothing
            await using var stream = response.Content.ReadAsStream(cancellationToken);
#pragma warning restore CA1849
            var total = 0;
            int read;
            while (total <= MaxDrainBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status line and headers arrived; a body cut short does not change the outcome.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record Target(Uri Url, TimeSpan Timeout);

    /// <summary>
    /// The handler as the upstream named it, cut to 64 characters of printable ASCII: it becomes a rollup key and
    /// a label, and a misbehaving upstream must not be able to flood either.
    /// </summary>
    internal static string? HandlerName(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[Math.Min(trimmed.Length, 64)];
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = trimmed[i] is >= ' ' and < (char)127 ? trimmed[i] : '?';
        }

        return new string(buffer);
    }
}
