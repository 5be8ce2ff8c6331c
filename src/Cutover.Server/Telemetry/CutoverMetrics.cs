using System.Diagnostics.Metrics;
using System.Reflection;

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
    private readonly Histogram<double> _lookDuration;

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
        _updates = meter.CreateCounter<long>("cutover.webhook.updates", "{update}", "Updates routed, by domain, decided route and outcome.");
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
        _lookDuration = meter.CreateHistogram<double>(
            "cutover.rollout.look.duration", "s", "Time the rollout controller's look took (reading the store and judging health), by look (full, fast).", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        Meter = meter;
        (Version, Commit) = BuildOf(typeof(CutoverMetrics).Assembly);
        meter.CreateObservableGauge("cutover.build.info", () => BuildInfo(), null,
            "Always 1; the labels say which build of Cutover this is (version, commit).");
    }

    public Meter Meter { get; }

    /// <summary>The version Cutover was built as (<c>0.1.0</c>).</summary>
    public string Version { get; }

    /// <summary>The git commit it was built from, when the build knew it; else <c>unknown</c>.</summary>
    public string Commit { get; }

    /// <summary>
    /// Puts every series of the per-update and per-request counters on the first scrape, at 0: OpenTelemetry exports a
    /// series only after its first measurement, and <c>rate()</c> or <c>increase()</c> over a series that appears with
    /// its first error misses that error (and an alert on the error rate has nothing to compare until then). Call once a
    /// listener (the meter provider) is there; before that the adds go nowhere.
    /// </summary>
    public void Preset(IEnumerable<string> domains, IEnumerable<string> requestOutcomes)
    {
        foreach (var outcome in requestOutcomes)
        {
            _requests.Add(0, new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
        }

        foreach (var domain in domains)
        {
            foreach (var route in (string[])[Core.Routing.RouteNames.Unified, Core.Routing.RouteNames.Legacy])
            {
                foreach (var outcome in UpdateOutcomes.All)
                {
                    _updates.Add(0, new(TagNames.Domain, domain), new(TagNames.Route, route), new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
                }
            }
        }
    }

    public void Request(string outcome)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
        }
    }

    /// <param name="outcome">One of <see cref="UpdateOutcomes"/>.</param>
    public void Update(string domain, string route, string outcome)
    {
        if (_updates.Enabled)
        {
            _updates.Add(1, new(TagNames.Domain, domain), new(TagNames.Route, route), new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
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

    /// <param name="look"><c>full</c> or <c>fast</c>.</param>
    public void Looked(string look, TimeSpan elapsed)
    {
        if (_lookDuration.Enabled)
        {
            _lookDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Look, look));
        }
    }

    public void Fallback(string to)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(1, new KeyValuePair<string, object?>(TagNames.Upstream, to));
        }
    }

    private Measurement<long> BuildInfo() =>
        new(1, new KeyValuePair<string, object?>("version", Version), new KeyValuePair<string, object?>("commit", Commit));

    /// <summary>
    /// The version and commit from the informational version the SDK writes (<c>0.1.0+&lt;sha&gt;</c> when built in a git
    /// work tree). Both become label values, so only the characters a version or a hex commit has are kept.
    /// </summary>
    internal static (string Version, string Commit) BuildOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? string.Empty;
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = Clean(plus < 0 ? informational : informational[..plus], "0123456789.-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        var commit = plus < 0 ? string.Empty : Clean(informational[(plus + 1)..], "0123456789abcdef");
        return (version.Length == 0 ? "unknown" : version, commit.Length == 0 ? "unknown" : commit);
    }

    private static string Clean(string value, string allowed)
    {
        var kept = new string([.. value.Where(c => allowed.Contains(c, StringComparison.Ordinal)).Take(64)]);
        return kept;
    }
}
