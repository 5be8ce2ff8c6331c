using System.Diagnostics.Metrics;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The one meter, <c>Cutover</c>, and its instruments. Tag values come only from closed sets
/// (outcome, route, configured domain and upstream names), never from request data.
/// </summary>
internal sealed class CutoverMetrics
{
    public const string MeterName = "Cutover";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _updates;
    private readonly Histogram<double> _forwardDuration;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLetters;
    private readonly Histogram<int> _attempts;
    private readonly Histogram<double> _lag;

    // The SDK's default boundaries (0, 5, 10 … 10000) are meant for milliseconds; these are seconds, from a
    // fast local handler (1 ms) to the longest upstream timeout worth having (30 s).
    private static readonly InstrumentAdvice<double> ForwardDurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    public CutoverMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName, typeof(CutoverMetrics).Assembly.GetName().Version?.ToString());
        _requests = meter.CreateCounter<long>("cutover.webhook.requests", "{request}", "Webhook POSTs by outcome.");
        _updates = meter.CreateCounter<long>("cutover.webhook.updates", "{update}", "Updates routed, by domain and route.");
        _forwardDuration = meter.CreateHistogram<double>(
            "cutover.forward.duration", "s", "Time for an upstream to answer a forwarded part.", tags: null, ForwardDurationAdvice);
        _fallbacks = meter.CreateCounter<long>("cutover.forward.fallbacks", "{request}", "Parts unified failed and legacy was asked instead.");
        _duplicates = meter.CreateCounter<long>(
            "cutover.delivery.duplicates", "{update}", "Queued delivery: updates acknowledged and not queued, having been accepted before.");
        _deadLetters = meter.CreateCounter<long>(
            "cutover.delivery.dead_letters", "{update}", "Queued delivery: updates given up on, by domain, route and reason.");
        _attempts = meter.CreateHistogram<int>(
            "cutover.delivery.attempts", "{attempt}", "Queued delivery: attempts an update took, by how it ended (delivered, dead).", tags: null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 5, 8, 13, 24, 50, 100] });
        _lag = meter.CreateHistogram<double>(
            "cutover.delivery.lag", "s", "Queued delivery: from Cutover's 200 to Meta until an upstream took the update.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400] });
        Meter = meter;
    }

    public Meter Meter { get; }

    public void Request(string outcome)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
        }
    }

    public void Update(string domain, string route)
    {
        if (_updates.Enabled)
        {
            _updates.Add(1, new(TagNames.Domain, domain), new(TagNames.Route, route));
        }
    }

    public void Forwarded(string upstream, string outcome, TimeSpan elapsed)
    {
        if (_forwardDuration.Enabled)
        {
            _forwardDuration.Record(elapsed.TotalSeconds, new(TagNames.Upstream, upstream), new(TagNames.Outcome, outcome));
        }
    }

    public void Duplicates(int count)
    {
        if (_duplicates.Enabled)
        {
            _duplicates.Add(count);
        }
    }

    public void DeadLettered(string domain, string route, string reason)
    {
        if (_deadLetters.Enabled)
        {
            _deadLetters.Add(1, new(TagNames.Domain, domain), new(TagNames.Route, route), new KeyValuePair<string, object?>(TagNames.Reason, reason));
        }
    }

    /// <summary>An update's last attempt: delivered after <paramref name="lag"/> (null when it went to the dead letters).</summary>
    public void Concluded(int attempts, TimeSpan? lag)
    {
        if (_attempts.Enabled)
        {
            _attempts.Record(attempts, new KeyValuePair<string, object?>(TagNames.Outcome, lag is null ? "dead" : "delivered"));
        }

        if (lag is { } l && _lag.Enabled)
        {
            _lag.Record(l.TotalSeconds);
        }
    }

    public void Fallback(string to)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(1, new KeyValuePair<string, object?>(TagNames.Upstream, to));
        }
    }
}
