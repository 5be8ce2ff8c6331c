using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Store;

/// <summary>What stats and simulations read: the rollups of the decision log, and who it saw.</summary>
public interface IStatsStore
{
    /// <summary>The rollup rows of periods of <paramref name="resolution"/> (a minute or an hour) starting in [from, to).</summary>
    Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// The users the decision log saw in [<paramref name="from"/>, <paramref name="to"/>): one row per stored user key
    /// and domain, with the bucket and the number of decisions. Only decisions a bucket can route are counted: those
    /// with a user key and a bucket, and not changes of other fields (rule <c>field</c>), which go where their field is
    /// configured to go whatever the bucket.
    /// </summary>
    Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// Per domain, the distinct users the decision log saw in [<paramref name="from"/>, <paramref name="to"/>) and how
    /// many of them went to unified: what the <c>split</c> health check judges, every 30 s, so one range scan of the
    /// created_at index. Counts what <see cref="ReadUserActivityAsync"/> reads (decisions a bucket routes), without the
    /// users in <paramref name="excludedUserKeys"/> (as stored: hashed unless raw), those an override pins to a route.
    /// </summary>
    Task<IReadOnlyList<DomainUsers>> CountUsersAsync(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string> excludedUserKeys, CancellationToken cancellationToken);

    /// <summary>
    /// The decisions of [<paramref name="from"/>, <paramref name="to"/>) counted per slice of <paramref name="slice"/>
    /// (slices aligned to the epoch, so whole seconds or minutes), domain and route: requests, failures (not a success,
    /// or served by a fallback, as the rollups count them), and those slower than <paramref name="warnMs"/> and
    /// <paramref name="criticalMs"/>. What health reads from a change's exact time, before whole minutes of rollups
    /// exist: one range scan of the created_at index over the seconds or minutes since the change, grouped in the store,
    /// so a few hundred rows come back however busy the service. Read from the store, not from this instance's memory,
    /// so the leader judges the decisions of every instance that shares it.
    /// </summary>
    Task<IReadOnlyList<DecisionSlice>> CountDecisionsAsync(
        DateTimeOffset from, DateTimeOffset to, TimeSpan slice, double warnMs, double criticalMs, CancellationToken cancellationToken);
}
