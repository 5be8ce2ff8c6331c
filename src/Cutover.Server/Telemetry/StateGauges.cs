using System.Diagnostics.Metrics;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The gauges a dashboard charts a rollout from: routing (kill switch, percent per domain), the rollout (state, step,
/// percent), health (each check's state) and the probes. A scrape reads only memory: the routing snapshot the hot path
/// uses, the probes' last results, and a reading of the rollout and of the stored health verdict that this service
/// refreshes every <see cref="Interval"/>, so that no scrape puts a query on the store.
/// </summary>
/// <remarks>
/// The rollout and the health verdict are read from the store rather than from the services that make them: only the
/// leader evaluates (and <see cref="RolloutService"/> loads the state for each look instead of keeping it), while every
/// instance is scraped and should tell the same story. The leader stores its verdict at every look, so the gauges are at
/// most one evaluation interval plus <see cref="Interval"/> behind.
/// </remarks>
internal sealed class StateGauges : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly CutoverMetrics _metrics;
    private readonly RoutingStateHolder _routing;
    private readonly ProbeService _probes;
    private readonly IRolloutStore _rollouts;
    private readonly IHealthStore _health;
    private readonly TimeProvider _time;
    private readonly int _steps;
    private readonly DeliveryMode _mode;
    private volatile RolloutState? _rollout;
    private volatile HealthReport? _report;

    /// <param name="meterProvider">Asked for so that it exists (and listens) before the zero series are put.</param>
    public StateGauges(
        CutoverMetrics metrics, RoutingStateHolder routing, ProbeService probes, RolloutService rollout, IRolloutStore rollouts,
        IHealthStore health, TimeProvider time, MeterProvider meterProvider, IOptions<CutoverOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterProvider);
        _metrics = metrics;
        _routing = routing;
        _probes = probes;
        _rollouts = rollouts;
        _health = health;
        _time = time;
        _steps = rollout.Plan.Steps.Count;
        _mode = options.Value.Delivery.Mode;

        var meter = metrics.Meter;
        meter.CreateObservableGauge("cutover.routing.enabled", () => Routing(static s => s.State.Enabled ? 1 : 0), null,
            "1 while routing is on, 0 while the kill switch sends everything to legacy.");
        meter.CreateObservableGauge("cutover.routing.percent", () => Percents(), null,
            "Per domain: the percent of its users routed to unified (its own or the global), 0 when the domain is not routable.");
        meter.CreateObservableGauge("cutover.rollout.state", () => RolloutStates(), null,
            "Per state name: 1 for the rollout's current state, 0 for the others.");
        meter.CreateObservableGauge("cutover.rollout.step", () => Rollout(static r => r.Step + 1), null,
            "The rollout's step, from 1 (0: no step).");
        meter.CreateObservableGauge("cutover.rollout.steps", () => (long)_steps, null, "Steps in the rollout plan.");
        meter.CreateObservableGauge("cutover.rollout.percent", () => RolloutPercent(), null, "The percent the rollout's step set.");
        meter.CreateObservableGauge("cutover.health.state", () => Overall(), null,
            "The health verdict: 0 ok, 1 warn, 2 critical, -1 insufficient data.");
        meter.CreateObservableGauge("cutover.health.check.state", () => Checks(), null,
            "Per check: 0 ok, 1 warn, 2 critical, -1 insufficient data.");
        meter.CreateObservableGauge("cutover.probe.up", () => Probes(), null,
            "Per probed upstream: 1 when its last probe answered 2xx, 0 when it did not.");
    }

    /// <summary>The health encoding of the gauges: rising with severity, and insufficient data apart, below ok.</summary>
    public static int ValueOf(HealthState state) => state switch
    {
        HealthState.Ok => 0,
        HealthState.Warn => 1,
        HealthState.Critical => 2,
        _ => -1,
    };

    /// <summary>Reads the rollout and the stored health verdict now (and every <see cref="Interval"/> after).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        _rollout = await _rollouts.LoadRolloutAsync(cancellationToken);
        _report = (await _health.LatestHealthAsync(cancellationToken))?.Report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _metrics.Preset(_routing.Topology.Domains.Keys.Order(StringComparer.Ordinal), RequestOutcomes.Of(_mode));
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The last reading stands; the store's health is reported by the ping and the components that use it.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> Routing(Func<RoutingSnapshot, long> value) =>
        _routing.IsReady ? [new Measurement<long>(value(_routing.Current))] : [];

    private IEnumerable<Measurement<double>> Percents()
    {
        if (!_routing.IsReady)
        {
            return [];
        }

        var snapshot = _routing.Current;
        return snapshot.Topology.Domains.Keys.Order(StringComparer.Ordinal)
            .Select(d => new Measurement<double>(
                snapshot.IsRoutable(d) ? (double)snapshot.State.PercentFor(d) : 0, new KeyValuePair<string, object?>(TagNames.Domain, d)))
            .ToList();
    }

    private IEnumerable<Measurement<long>> Rollout(Func<RolloutState, long> value) =>
        _rollout is { } rollout ? [new Measurement<long>(value(rollout))] : [];

    private IEnumerable<Measurement<double>> RolloutPercent() =>
        _rollout is { } rollout ? [new Measurement<double>((double)rollout.Percent)] : [];

    private IEnumerable<Measurement<long>> RolloutStates() =>
        _rollout is { } rollout
            ? [.. Enum.GetValues<RolloutStatus>().Select(s => new Measurement<long>(
                s == rollout.Status ? 1 : 0, new KeyValuePair<string, object?>(TagNames.State, s.ToName())))]
            : [];

    private IEnumerable<Measurement<long>> Overall() =>
        _report is { } report ? [new Measurement<long>(ValueOf(report.State))] : [];

    private IEnumerable<Measurement<long>> Checks() =>
        _report is { } report
            ? [.. report.Checks.Select(static c => new Measurement<long>(ValueOf(c.State), new KeyValuePair<string, object?>(TagNames.Check, c.Name)))]
            : [];

    private IEnumerable<Measurement<long>> Probes() =>
        [.. _probes.Results.Select(static r => new Measurement<long>(r.Ok ? 1 : 0, new KeyValuePair<string, object?>(TagNames.Upstream, r.Upstream)))];
}
