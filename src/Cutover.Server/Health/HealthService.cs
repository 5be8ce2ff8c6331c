using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Server.Configuration;
using Cutover.Server.Delivery;
using Cutover.Server.Routing;
using Cutover.Server.Stats;
using Cutover.Store;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Health;

/// <summary>
/// Gathers what health is judged from (rollups over the window, and since the last routing change; the decision log
/// itself from the change's exact time until whole minutes of rollups exist) and judges it with
/// <see cref="HealthEvaluator"/>. Reads rollups, a few small queries whatever the traffic, one grouped range scan of the
/// decision log since the change, and for the split the distinct users of the window: one range scan of the decision
/// log (docs/benchmarks.md says what it costs).
/// </summary>
internal sealed class HealthService(
    StatsService stats,
    IStatsStore users,
    RoutingStateHolder routing,
    UserKeyProtection keys,
    IHealthStore baselines,
    IRoutingStore audit,
    ProbeService probes,
    DeliveryMonitor delivery,
    IOptions<CutoverOptions> options,
    TimeProvider time)
{
    /// <summary>The changes that move the split: an override or its removal moves one user and restarts nothing.</summary>
    private static readonly string[] SplitChangingKinds = [AuditKinds.Percent, AuditKinds.Enable, AuditKinds.Disable, AuditKinds.Routable];

    private Tuple<long, DateTimeOffset>? _lastSplitChange;

    private Tuple<long, IReadOnlyCollection<string>>? _pinnedUsers;

    /// <summary>The sequential comparison looks back at most this far, however old the last change is.</summary>
    private static readonly TimeSpan LongestComparison = TimeSpan.FromDays(7);

    private readonly HealthThresholds _thresholds = ThresholdsOf(options.Value);
    private readonly TimeSpan _window = options.Value.Health.Window;
    private readonly TimeSpan _recentWindow = options.Value.Health.RecentWindow;

    /// <summary>The change window's counts: every look reads it, the fast look every 2 s, so only the last seconds are scanned each time.</summary>
    private readonly DecisionSliceCache _changeCounts = new(
        users, Slice, options.Value.DecisionLog.FlushInterval, options.Value.Health.P95WarnMs, options.Value.Health.P95CriticalMs);

    /// <summary>How long <see cref="RecentAsync"/> reuses a report: <c>GET /</c> may be polled often, the store need not be.</summary>
    private static readonly TimeSpan RecentFor = TimeSpan.FromSeconds(5);

    private HealthReport? _recent;

    public HealthThresholds Thresholds => _thresholds;

    /// <summary>A report at most a few seconds old.</summary>
    public async Task<HealthReport> RecentAsync(CancellationToken cancellationToken)
    {
        var recent = Volatile.Read(ref _recent);
        if (recent is not null && time.GetUtcNow() - recent.At < RecentFor)
        {
            return recent;
        }

        return await EvaluateAsync(cancellationToken);
    }

    public async Task<HealthReport> EvaluateAsync(CancellationToken cancellationToken, IReadOnlyList<HealthCheck>? extraChecks = null)
    {
        var now = time.GetUtcNow();
        var snapshot = routing.Current;

        // The rollups since the last change start at the first whole minute after it: earlier minutes were routed by
        // another percent. The seconds between the change and that minute come from the decision log itself (the
        // change window), so the guards, the comparison and their minimum samples count from the change's exact time.
        var changedAt = await LastSplitChangeAsync(snapshot.State, cancellationToken);
        var since = Max(FloorMinute(changedAt) + (FloorMinute(changedAt) == changedAt ? TimeSpan.Zero : Rollups.Minute), now - LongestComparison);
        var exact = await ChangeWindowAsync(changedAt, now, cancellationToken);
        var head = await FirstMinuteAsync(exact, since, now, cancellationToken);
        var sinceRows = since < now ? await stats.ReadMinutesAsync(since, now, cancellationToken) : [];
        var sinceChange = StatsCalculator.Compute(sinceRows, since, now);

        // The guards judge the configuration now: traffic from before the last change (a rollback's failures, say)
        // must not roll back the step that a resume starts again.
        var referenceFrom = FloorMinute(now - _window);
        var reference = StatsCalculator.Compute(await stats.ReadAsync(referenceFrom, now, cancellationToken), referenceFrom, now);
        var windowFrom = Max(referenceFrom, since);
        var window = windowFrom == referenceFrom ? reference // no change inside the window: the same rows, read once
            : windowFrom < now ? StatsCalculator.Compute(await stats.ReadAsync(windowFrom, now, cancellationToken), windowFrom, now)
            : StatsCalculator.Compute([], now, now);
        var recentFrom = Max(FloorMinute(now - _recentWindow), since);
        var recent = recentFrom < now
            ? StatsCalculator.Compute(await stats.ReadMinutesAsync(recentFrom, now, cancellationToken), recentFrom, now)
            : StatsCalculator.Compute([], now, now);

        var expected = ExpectedPercents(snapshot);

        // The split judges users over the window's span: the users an override pins to a route are not the bucket's.
        var domainUsers = windowFrom < now ? await users.CountUsersAsync(windowFrom, now, PinnedUsers(snapshot.State), cancellationToken) : [];
        var intervals = head.Intervals(expected).Concat(sinceRows
            .Where(r => expected.ContainsKey(r.Domain))
            .GroupBy(static r => (r.PeriodStartMs, r.Domain))
            .OrderBy(static g => g.Key.PeriodStartMs)
            .Select(static g => new ComparisonInterval(
                g.Where(static r => r.Route == Route.Unified).Sum(static r => r.Requests),
                g.Where(static r => r.Route == Route.Unified).Sum(static r => r.Errors),
                g.Where(static r => r.Route == Route.Legacy).Sum(static r => r.Requests),
                g.Where(static r => r.Route == Route.Legacy).Sum(static r => r.Errors))))
            .ToList();

        IReadOnlyList<HealthCheck> extra = [.. probes.Checks(), .. delivery.Checks(), .. extraChecks ?? []];
        var report = HealthEvaluator.Evaluate(new HealthInputs(now, window, sinceChange, intervals, expected, extra, recent,
            await baselines.LatestBaselineAsync(cancellationToken), reference, domainUsers, exact), _thresholds);
        Volatile.Write(ref _recent, report);
        return report;
    }

    /// <summary>
    /// The fast look (<see cref="HealthEvaluator.EvaluateSinceChange"/>): the decisions since the last change, from its
    /// exact time, at most <c>Health:RecentWindow</c> back. One grouped range scan of the decision log, a few hundred rows
    /// back whatever the traffic, so the controller can afford it every few seconds.
    /// </summary>
    /// <remarks>
    /// Why the decision log in the store, and not finer rollups or a window in memory: several instances may share a
    /// PostgreSQL store and only the leader judges, so the leader must see every instance's decisions, which a window fed
    /// by its own log writer would not; finer rollups would cost every ingested batch more writes for a read that needs
    /// only the seconds since a change. The writer flushes every <c>DecisionLog:FlushInterval</c> (50 ms by default), so
    /// the store lags the traffic by well under the check interval.
    /// </remarks>
    public async Task<HealthReport> EvaluateSinceChangeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = routing.Current;
        var changedAt = await LastSplitChangeAsync(snapshot.State, cancellationToken);
        var window = await ChangeWindowAsync(changedAt, now, cancellationToken);
        return HealthEvaluator.EvaluateSinceChange(window, ExpectedPercents(snapshot), _thresholds, now);
    }

    /// <summary>The decisions of [<paramref name="from"/>, <paramref name="to"/>) in slices of <see cref="Slice"/>.</summary>
    public Task<IReadOnlyList<DecisionSlice>> CountDecisionsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        users.CountDecisionsAsync(from, to, Slice, _thresholds.P95WarnMs, _thresholds.P95CriticalMs, cancellationToken);

    /// <summary>Slices of the decision log: whole seconds that divide a minute, so the first partial minute ends on a slice's edge.</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(5);

    private async Task<ChangeWindow> ChangeWindowAsync(DateTimeOffset changedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = ChangeWindow.StartOf(changedAt, now, _recentWindow, Slice);
        var slices = from < now ? await _changeCounts.CountAsync(from, now, cancellationToken) : [];
        return new ChangeWindow(changedAt, from, now, slices);
    }

    /// <summary>The decisions between the change and the first whole minute after it (<paramref name="since"/>), which no rollup since the change holds.</summary>
    private async Task<ChangeWindow> FirstMinuteAsync(ChangeWindow exact, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changedAt = exact.ChangedAt;
        var to = since < now ? since : now;
        if (changedAt >= to || changedAt < now - LongestComparison)
        {
            return new ChangeWindow(changedAt, changedAt, changedAt, []);
        }

        if (exact.FromChange)
        {
            // Slices are aligned to the epoch and a minute is a whole number of them: those starting before the minute are the head.
            var edge = to.ToUnixTimeMilliseconds();
            return new ChangeWindow(changedAt, changedAt, to, [.. exact.Slices.Where(s => s.StartMs < edge)]);
        }

        return new ChangeWindow(changedAt, changedAt, to, await CountDecisionsAsync(changedAt, to, cancellationToken));
    }

    /// <summary>When the percent, the kill switch or a domain's routable flag last changed; looked up once per state version.</summary>
    private async Task<DateTimeOffset> LastSplitChangeAsync(RoutingState state, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _lastSplitChange) is { } cached && cached.Item1 == state.Version)
        {
            return cached.Item2;
        }

        DateTimeOffset? last = null;
        foreach (var kind in SplitChangingKinds)
        {
            if ((await audit.HistoryAsync(new HistoryQuery(1, Kind: kind), cancellationToken)) is [var e] && (last is null || e.At > last))
            {
                last = e.At;
            }
        }

        // Nothing recorded (a new store): the state's own time, when it was first stored.
        var at = last ?? state.UpdatedAt;
        Volatile.Write(ref _lastSplitChange, Tuple.Create(state.Version, at));
        return at;
    }

    /// <summary>The users an override pins to a route, as the decision log stores their keys; computed once per state version.</summary>
    private IReadOnlyCollection<string> PinnedUsers(RoutingState state)
    {
        if (Volatile.Read(ref _pinnedUsers) is { } cached && cached.Item1 == state.Version)
        {
            return cached.Item2;
        }

        // A pin of the domain alone leaves the route to the bucket: only route pins skew the split.
        IReadOnlyCollection<string> pinned = [.. state.Overrides.Where(static o => o.Value.Route is not null).Select(o => keys.Protect(o.Key)).Distinct(StringComparer.Ordinal)];
        Volatile.Write(ref _pinnedUsers, Tuple.Create(state.Version, pinned));
        return pinned;
    }

    /// <summary>Each routable domain's effective unified percent: what its share should be.</summary>
    public static IReadOnlyDictionary<string, decimal> ExpectedPercents(RoutingSnapshot snapshot) =>
        snapshot.Topology.Domains.Keys
            .Where(snapshot.IsRoutable)
            .ToDictionary(static d => d, d => snapshot.State.Enabled ? snapshot.State.PercentFor(d) : 0m, StringComparer.Ordinal);

    private static HealthThresholds ThresholdsOf(CutoverOptions o) => new()
    {
        ErrorRateWarnPct = o.Health.ErrorRateWarnPct,
        ErrorRateCriticalPct = o.Health.ErrorRateCriticalPct,
        P95WarnMs = o.Health.P95WarnMs,
        P95CriticalMs = o.Health.P95CriticalMs,
        MinRequests = o.Health.MinRequests,
        MinErrors = o.Health.MinErrors,
        SplitTolerancePoints = o.Health.SplitTolerancePoints,
        ErrorComparison = ErrorComparisonOptions.Default with { Alpha = o.Health.Alpha },
        LatencyComparison = new LatencyComparisonOptions
        {
            Ratio = o.Health.LatencyRatio,
            SlackMs = o.Health.LatencySlackMs,
            MinRequestsPerSide = o.Health.LatencyMinRequests,
        },
        ExpectedHandlers = [.. o.Handlers.Expected],
        HandlerFailureMinInvocations = o.Health.HandlerFailureMinInvocations,
    };

    private static DateTimeOffset FloorMinute(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Rollups.PeriodStart(at.ToUnixTimeMilliseconds(), Rollups.Minute));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
