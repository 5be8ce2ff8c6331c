using System.Diagnostics.Metrics;
using System.Globalization;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// Watches queued delivery's queue for health, status and metrics: every <see cref="Interval"/> it reads the queue's
/// counts, the age of the oldest undelivered update, and the dead letters of the recent window by route, so that none
/// of those who ask (health every evaluation, status, a metrics scrape) puts a query on the store.
/// </summary>
/// <remarks>
/// Two health checks come of it. <c>delivery.backlog</c>: the oldest undelivered update against
/// <c>Delivery:BacklogWarnAge</c> and <c>BacklogCriticalAge</c> (a growing backlog means the upstreams do not keep up or
/// do not answer). <c>delivery.dead_letters.unified</c>: updates of users on the unified route given up on within
/// <c>Health:RecentWindow</c>: one warns, <c>Delivery:DeadLetterCritical</c> is critical, so the rollout holds or rolls
/// back on it as on any critical check.
/// </remarks>
internal sealed class DeliveryMonitor : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public const string BacklogCheck = "delivery.backlog";
    public const string DeadLettersCheck = "delivery.dead_letters.unified";

    private readonly DeliveryOptions _options;
    private readonly TimeSpan _recentWindow;
    private readonly IDeliveryStore _store;
    private readonly TimeProvider _time;
    private volatile Snapshot? _latest;

    public DeliveryMonitor(IOptions<CutoverOptions> options, IDeliveryStore store, CutoverMetrics metrics, TimeProvider time)
    {
        _options = options.Value.Delivery;
        _recentWindow = options.Value.Health.RecentWindow;
        _store = store;
        _time = time;
        if (IsQueued)
        {
            var meter = metrics.Meter;
            meter.CreateObservableGauge("cutover.delivery.backlog", () => Measure(static s => s.Stats.Pending + s.Stats.InFlight),
                "{update}", "Queued delivery: updates accepted and not yet delivered nor dead (waiting, retrying or in flight).");
            meter.CreateObservableGauge("cutover.delivery.ready", () => Measure(static s => s.Stats.Pending),
                "{update}", "Queued delivery: updates waiting for a worker (new or waiting to be retried), not leased.");
            meter.CreateObservableGauge("cutover.delivery.in_flight", () => Measure(static s => s.Stats.InFlight),
                "{update}", "Queued delivery: updates leased to a worker now, all instances.");
            meter.CreateObservableGauge("cutover.delivery.dead", () => Measure(static s => s.Stats.Dead),
                "{update}", "Queued delivery: dead letters kept (until replayed or purged).");
            meter.CreateObservableGauge("cutover.delivery.oldest_age", () => MeasureAge(),
                "s", "Queued delivery: how long ago the oldest undelivered update was accepted (0: none).");
        }
    }

    public bool IsQueued => _options.Mode == DeliveryMode.Queued;

    /// <summary>The latest reading, null before the first (or in direct delivery).</summary>
    public Snapshot? Latest => _latest;

    /// <summary>The delivery checks for health; none in direct delivery, insufficient data before the first reading.</summary>
    public IReadOnlyList<HealthCheck> Checks()
    {
        if (!IsQueued)
        {
            return [];
        }

        var warn = _options.BacklogWarnAge.TotalSeconds;
        var critical = _options.BacklogCriticalAge.TotalSeconds;
        if (_latest is not { } latest)
        {
            return
            [
                new HealthCheck(BacklogCheck, HealthState.InsufficientData, null, critical, "the delivery queue has not been read yet"),
                new HealthCheck(DeadLettersCheck, HealthState.InsufficientData, null, _options.DeadLetterCritical, "the dead letters have not been read yet"),
            ];
        }

        var age = latest.OldestAge(_time.GetUtcNow()).TotalSeconds;
        var backlog = latest.Stats.Pending + latest.Stats.InFlight;
        var backlogState = age >= critical ? HealthState.Critical : age >= warn ? HealthState.Warn : HealthState.Ok;
        var backlogMessage = backlog == 0
            ? "nothing waiting to be delivered"
            : string.Create(CultureInfo.InvariantCulture,
                $"{backlog} updates waiting, the oldest accepted {age:0} s ago (warn at {warn:0} s, critical at {critical:0} s)");

        var dead = latest.UnifiedDeadLetters;
        var deadState = dead >= _options.DeadLetterCritical ? HealthState.Critical : dead > 0 ? HealthState.Warn : HealthState.Ok;
        var deadMessage = string.Create(CultureInfo.InvariantCulture,
            $"{dead} updates on the unified route dead-lettered in the last {_recentWindow.TotalMinutes:0.#} min (critical at {_options.DeadLetterCritical})");
        return
        [
            new HealthCheck(BacklogCheck, backlogState, age, critical, backlogMessage),
            new HealthCheck(DeadLettersCheck, deadState, dead, _options.DeadLetterCritical, deadMessage),
        ];
    }

    /// <summary>Reads the queue now (and on every <see cref="Interval"/> after).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var stats = await _store.QueueStatsAsync(cancellationToken);
        var unified = await _store.CountDeadLettersAsync(new DeadLetterQuery(Since: now - _recentWindow, Route: RouteNames.Unified), cancellationToken);
        _latest = new Snapshot(now, stats, (int)Math.Min(unified, int.MaxValue));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsQueued)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The last reading stands (its time says how old it is); the worker and the ping report the store's health.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> Measure(Func<Snapshot, long> value) =>
        _latest is { } latest ? [new Measurement<long>(value(latest))] : [];

    private IEnumerable<Measurement<double>> MeasureAge() =>
        _latest is { } latest ? [new Measurement<double>(latest.OldestAge(_time.GetUtcNow()).TotalSeconds)] : [];

    /// <summary>One reading: when, the queue's counts, and dead letters of the unified route in the recent window.</summary>
    internal sealed record Snapshot(DateTimeOffset At, QueueStats Stats, int UnifiedDeadLetters)
    {
        public TimeSpan OldestAge(DateTimeOffset now) =>
            Stats.OldestUndelivered is { } oldest && now > oldest ? now - oldest : TimeSpan.Zero;
    }
}
