using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Cutover.Core.Rollout;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Cutover.Server.Rollout;

/// <summary>
/// POSTs every rollout event of the kinds <c>Notifications:Events</c> names (every kind by default) to <c>Notifications:Urls</c> as JSON with a Slack-compatible <c>text</c>. The controller only
/// enqueues (never waits); one background loop per URL sends its events in order, retrying with exponential backoff and
/// jitter (Polly), and gives up on an event after <c>Notifications:Attempts</c>, logging it. A full queue drops the newest
/// event, counted.
/// </summary>
internal sealed class RolloutNotifier : BackgroundService
{
    private const int Capacity = 1_000;
    private readonly Dictionary<string, Channel<byte[]>> _queues;
    private readonly NotificationsOptions _options;
    private readonly HashSet<string>? _events;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<RolloutNotifier> _logger;
    private long _sent;
    private long _failed;
    private long _dropped;
    private long _queued;

    public RolloutNotifier(IOptions<CutoverOptions> options, TimeProvider time, ILogger<RolloutNotifier> logger)
    {
        _options = options.Value.Notifications;
        _events = _options.Events.Count == 0 ? null : new HashSet<string>(_options.Events, StringComparer.Ordinal);

        // One queue per URL: a receiver that is down and being retried must not hold back the others' events.
        _queues = _options.Urls.Distinct(StringComparer.Ordinal).ToDictionary(
            static url => url,
            static _ => Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait }),
            StringComparer.Ordinal);
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // the pipeline times each try
        };
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.Attempts - 1,
                Delay = _options.FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<Polly.Timeout.TimeoutRejectedException>()
                    .HandleResult(static r => !r.IsSuccessStatusCode),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(_options.Timeout)
            .Build();
    }

    public bool Enabled => _options.Urls.Count > 0;

    /// <summary>Whether events of <paramref name="kind"/> are POSTed: <c>Notifications:Events</c>, or every kind when it is empty.</summary>
    public bool Wants(string kind) => Enabled && (_events is null || _events.Contains(kind));

    public (long Sent, long Failed, long Dropped) Counters => (Interlocked.Read(ref _sent), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped));

    /// <summary>Events queued for a URL (one per event and URL): once sent and failed add up to it, nothing is on its way.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>
    /// Queues one event; returns at once whatever happens to it. (With <c>Wait</c> as the full mode, <c>TryWrite</c> says
    /// false when the queue is full; <c>DropWrite</c> would say true and drop silently.)
    /// </summary>
    /// <param name="overridesOnUnified">For a rollback: the overrides that still send users of its scope to unified.</param>
    public void Notify(string kind, string actor, string reason, RolloutState state, int steps, string? metrics, int? overridesOnUnified = null)
    {
        if (!Wants(kind))
        {
            return;
        }

        var body = Body(kind, actor, reason, state, steps, metrics, overridesOnUnified, _time.GetUtcNow());
        foreach (var queue in _queues.Values)
        {
            if (queue.Writer.TryWrite(body))
            {
                Interlocked.Increment(ref _queued);
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(q => DeliverAsync(q.Key, q.Value.Reader, stoppingToken)));

    /// <summary>One URL's events, in order, each tried until taken or given up.</summary>
    private async Task DeliverAsync(string url, ChannelReader<byte[]> events, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var body in events.ReadAllAsync(stoppingToken))
            {
                await SendAsync(url, body, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(string url, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    return await _http.PostAsync(url, content, token);
                },
                cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _sent);
                return;
            }

            LogMessages.NotificationFailed(_logger, Redact(url), _options.Attempts, $"answered {(int)response.StatusCode}", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            LogMessages.NotificationFailed(_logger, Redact(url), _options.Attempts, ex.Message, ex);
        }

        Interlocked.Increment(ref _failed);
    }

    /// <summary>A webhook URL is a secret (Slack's path is the credential): logs name only its host.</summary>
    private static string Redact(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}/…" : "(invalid URL)";

    private static byte[] Body(
        string kind, string actor, string reason, RolloutState state, int steps, string? metrics, int? overridesOnUnified, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", kind);
            json.WriteString("at", at);
            json.WriteString("actor", actor);
            json.WriteString("reason", reason);
            json.WriteStartObject("rollout");
            json.WriteString("state", state.Status.ToName());
            json.WriteNumber("step", state.Status == RolloutStatus.Idle ? 0 : state.Step + 1);
            json.WriteNumber("steps", steps);
            json.WriteNumber("percent", state.Percent);
            if (state.Domain is null)
            {
                json.WriteNull("domain");
            }
            else
            {
                json.WriteString("domain", state.Domain);
            }

            json.WriteEndObject();
            if (metrics is not null)
            {
                json.WritePropertyName("metrics");
                json.WriteRawValue(metrics);
            }

            if (overridesOnUnified is { } pinned)
            {
                json.WriteNumber("overrides_on_unified", pinned);
            }

            json.WriteString("text", Text(kind, actor, reason, state, steps, overridesOnUnified));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One line a person reads in Slack: what happened, where the rollout is, who, and why (which carries the metric values).</summary>
    private static string Text(string kind, string actor, string reason, RolloutState state, int steps, int? overridesOnUnified)
    {
        var where = state.Status == RolloutStatus.Idle ? "no rollout" : $"step {state.Step + 1} of {steps}";
        var scope = state.Domain is null ? string.Empty : $" ({state.Domain})";
        var sb = new StringBuilder();
        sb.Append(kind is RolloutEventKinds.Rollback or RolloutEventKinds.Critical ? ":rotating_light: " : string.Empty)
            .Append($"Cutover {kind.Replace('_', ' ')}{scope}: {state.Status.ToName()} at {where}, {state.Percent:0.##}% unified. ")
            .Append($"By {actor}: {reason}");
        if (RolloutPolicy.OverridesSentence(overridesOnUnified ?? 0) is { } pinned)
        {
            sb.Append(". ").Append(char.ToUpperInvariant(pinned[0])).Append(pinned[1..]).Append('.');
        }

        return sb.ToString();
    }
}
