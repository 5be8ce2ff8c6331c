using System.Data.Common;
using System.Threading.Channels;
using Cutover.Core.DecisionLog;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Cutover.Server.Tests.Support;

/// <summary>
/// A real store behind a switch: while <see cref="Down"/> every call fails as a database that cannot be reached does
/// (a <see cref="DbException"/>), and <see cref="Notify"/> plays a change notification (LISTEN/NOTIFY) on every open
/// subscription, which SQLite itself never sends.
/// </summary>
internal sealed class FaultyStore(ICutoverStore inner) : ICutoverStore
{
    private readonly List<Channel<string>> _subscriptions = [];
    private volatile bool _down;
    private long _failedCalls;
    private long _versionReads;
    private int _decisionWrites;
    private long _claimCalls;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public long FailedCalls => Interlocked.Read(ref _failedCalls);

    /// <summary>While true the store answers (pings succeed) but refuses every batch of decisions.</summary>
    public bool RefuseDecisions { get; set; }

    /// <summary>While set, every batch of decisions fails with this (pings still succeed), as a file that cannot be written does.</summary>
    public Exception? DecisionWriteFault { get; set; }

    public int DecisionWrites => Volatile.Read(ref _decisionWrites);

    /// <summary>While set, every delivery's outcome waits for this task before it is recorded (a store slow to write).</summary>
    public Task? CompleteHold { get; set; }

    /// <summary>When set, a batch of outcomes that puts an update back to wait is written, then held until this completes.</summary>
    public Task? AfterRetryHold { get; set; }

    /// <summary>Completed once a batch has put an update back to wait and is held by <see cref="AfterRetryHold"/>.</summary>
    public TaskCompletionSource RetryRecorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Claims started so far.</summary>
    public long ClaimCalls => Interlocked.Read(ref _claimCalls);

    /// <summary>How many claims have handed out each update, by id.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<long, int> TimesClaimed { get; } = new();

    /// <summary>How often the routing version was read: each refresh of the routing state reads it first.</summary>
    public long VersionReads => Interlocked.Read(ref _versionReads);

    public ICutoverStore Inner => inner;

    public string Provider => inner.Provider;

    public string Location => inner.Location;

    public string? FilePath => inner.FilePath;

    /// <summary>Replaces the server's store with this decorator over it.</summary>
    public static Action<IServiceCollection> Install(Action<FaultyStore> created) => services =>
    {
        var original = services.Last(static d => d.ServiceType == typeof(ICutoverStore));
        services.AddSingleton<ICutoverStore>(sp =>
        {
            var store = new FaultyStore((ICutoverStore)original.ImplementationFactory!(sp));
            created(store);
            return store;
        });
    };

    public void Notify(string channel)
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Writer.TryWrite(channel);
            }
        }
    }

    /// <summary>Ends every open subscription, as a lost listening connection does.</summary>
    public void EndSubscriptions()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Writer.TryComplete();
            }

            _subscriptions.Clear();
        }
    }

    public int Subscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    private Task Check()
    {
        if (_down)
        {
            Interlocked.Increment(ref _failedCalls);
            throw new UnreachableException();
        }

        return Task.CompletedTask;
    }

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        await Check();
        return await call();
    }

    private async Task Call(Func<Task> call)
    {
        await Check();
        await call();
    }

    public Task<int> MigrateAsync(CancellationToken cancellationToken) => Call(() => inner.MigrateAsync(cancellationToken));

    public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) => Call(() => inner.SchemaVersionAsync(cancellationToken));

    public Task PingAsync(CancellationToken cancellationToken) => Call(() => inner.PingAsync(cancellationToken));

    public Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken) =>
        Call(() => inner.LoadRoutingStateAsync(initial, cancellationToken));

    public Task<long> RoutingVersionAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _versionReads);
        return Call(() => inner.RoutingVersionAsync(cancellationToken));
    }

    public Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        Call(() => inner.TryCommitRoutingAsync(expectedVersion, next, events, cancellationToken));

    public Task<AuditEvent> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken) =>
        Call(() => inner.AppendAuditAsync(audit, cancellationToken));

    public Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        Call(() => inner.HistoryAsync(query, cancellationToken));

    public Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _decisionWrites);
        return RefuseDecisions
            ? Task.FromException(new RefusedException())
            : DecisionWriteFault is { } fault
                ? Task.FromException(fault)
                : Call(() => inner.WriteDecisionsAsync(batch, cancellationToken));
    }

    public Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken) =>
        Call(() => inner.QueryDecisionsAsync(query, cancellationToken));

    public Task<DecisionPage> ReadDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken) =>
        Call(() => inner.ReadDecisionsAsync(query, cancellationToken));

    public Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Call(() => inner.ReadUserActivityAsync(from, to, cancellationToken));

    public Task<IReadOnlyList<DomainUsers>> CountUsersAsync(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string> excludedUserKeys, CancellationToken cancellationToken) =>
        Call(() => inner.CountUsersAsync(from, to, excludedUserKeys, cancellationToken));

    public Task<IReadOnlyList<DecisionSlice>> CountDecisionsAsync(
        DateTimeOffset from, DateTimeOffset to, TimeSpan slice, double warnMs, double criticalMs, CancellationToken cancellationToken) =>
        Call(() => inner.CountDecisionsAsync(from, to, slice, warnMs, criticalMs, cancellationToken));

    public Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Call(() => inner.ReadRollupsAsync(resolution, from, to, cancellationToken));

    public Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken) =>
        Call(() => inner.PurgeAsync(decisionsBefore, rollupsBefore, cancellationToken));

    public Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken) => Call(() => inner.LoadRolloutAsync(cancellationToken));

    public Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken) =>
        Call(() => inner.TrySaveRolloutAsync(expectedVersion, next, events, rollback, cancellationToken));

    public Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken) =>
        Call(() => inner.RollbacksAsync(limit, cancellationToken));

    public Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken) =>
        Call(() => inner.SaveBaselineAsync(baseline, cancellationToken));

    public Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken) => Call(() => inner.LatestBaselineAsync(cancellationToken));

    public async Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        await Check();
        var channel = Channel.CreateUnbounded<string>();
        lock (_subscriptions)
        {
            _subscriptions.Add(channel);
        }

        return new Subscription(this, channel);
    }

    public async Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken) =>
        await Call(() => inner.TryAcquireLeaseAsync(name, cancellationToken)) is { } lease ? new Lease(this, lease) : null;

    public Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken) =>
        Call(() => inner.WriteConversationsAsync(entries, cancellationToken));

    public Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken) =>
        Call(() => inner.ReadConversationsAsync(afterSequence, seenSince, exceptInstance, limit, cancellationToken));

    public Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        Call(() => inner.PurgeConversationsAsync(before, cancellationToken));

    public Task WriteIdentitiesAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken) =>
        Call(() => inner.WriteIdentitiesAsync(entries, cancellationToken));

    public Task<IReadOnlyList<IdentityEntry>> ReadIdentitiesAsync(
        long afterSequence, string? exceptInstance, int limit, CancellationToken cancellationToken) =>
        Call(() => inner.ReadIdentitiesAsync(afterSequence, exceptInstance, limit, cancellationToken));

    public Task<IReadOnlyList<IdentityEntry>> ReadRecentIdentitiesAsync(int limit, CancellationToken cancellationToken) =>
        Call(() => inner.ReadRecentIdentitiesAsync(limit, cancellationToken));

    public Task<IReadOnlyList<IdentityEntry>> FindPersonAsync(string identifier, CancellationToken cancellationToken) =>
        Call(() => inner.FindPersonAsync(identifier, cancellationToken));

    public Task<IReadOnlyList<AcceptResult>> AcceptAsync(IReadOnlyList<InboxWebhook> webhooks, CancellationToken cancellationToken) =>
        Call(() => inner.AcceptAsync(webhooks, cancellationToken));

    public Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        Call(async () =>
        {
            Interlocked.Increment(ref _claimCalls);
            var claims = await inner.ClaimAsync(owner, limit, now, lease, cancellationToken);
            foreach (var claim in claims)
            {
                TimesClaimed.AddOrUpdate(claim.Id, 1, static (_, n) => n + 1);
            }

            return claims;
        });

    public Task<IReadOnlyList<bool>> FinishAsync(IReadOnlyList<LeaseOutcome> outcomes, CancellationToken cancellationToken) =>
        Call(async () =>
        {
            if (CompleteHold is { } hold && outcomes.Any(static o => o.Kind == LeaseOutcomeKind.Completed))
            {
                await hold;
            }

            var finished = await inner.FinishAsync(outcomes, cancellationToken);
            if (AfterRetryHold is { } after && outcomes.Any(static o => o.Kind == LeaseOutcomeKind.RetryLater))
            {
                RetryRecorded.TrySetResult();
                await after;
            }

            return finished;
        });

    public Task<bool> CompleteAsync(long id, string owner, DeliveryAttempt attempt, CancellationToken cancellationToken) =>
        Call(async () =>
        {
            if (CompleteHold is { } hold)
            {
                await hold;
            }

            return await inner.CompleteAsync(id, owner, attempt, cancellationToken);
        });

    public Task<bool> RetryLaterAsync(long id, string owner, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        Call(() => inner.RetryLaterAsync(id, owner, attempt, nextAttemptAt, cancellationToken));

    public Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        Call(() => inner.ReleaseAsync(id, owner, nextAttemptAt, cancellationToken));

    public Task<bool> DeadLetterAsync(
        long id, string owner, DeliveryAttempt? attempt, string reason, string? error, string? domain, string? route, CancellationToken cancellationToken) =>
        Call(() => inner.DeadLetterAsync(id, owner, attempt, reason, error, domain, route, cancellationToken));

    public Task<QueueStats> QueueStatsAsync(CancellationToken cancellationToken) => Call(() => inner.QueueStatsAsync(cancellationToken));

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken) =>
        Call(() => inner.ListDeadLettersAsync(query, cancellationToken));

    public Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken) =>
        Call(() => inner.CountDeadLettersAsync(query, cancellationToken));

    public Task<DeadLetterDetail?> GetDeadLetterAsync(long id, CancellationToken cancellationToken) =>
        Call(() => inner.GetDeadLetterAsync(id, cancellationToken));

    public Task<IReadOnlyList<long>> ReplayAsync(IReadOnlyList<long> ids, string? target, DateTimeOffset now, CancellationToken cancellationToken) =>
        Call(() => inner.ReplayAsync(ids, target, now, cancellationToken));

    public Task<long> PurgeDeadLettersAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        Call(() => inner.PurgeDeadLettersAsync(before, cancellationToken));

    public Task<long> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        Call(() => inner.PurgeDeliveredAsync(before, cancellationToken));

    public Task<long> PurgeDedupAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        Call(() => inner.PurgeDedupAsync(before, cancellationToken));

    public Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken) =>
        Call(() => inner.SaveHealthAsync(snapshot, cancellationToken));

    public Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken) => Call(() => inner.LatestHealthAsync(cancellationToken));

    public Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken) =>
        Call(() => inner.GetOrCreateSecretAsync(name, length, cancellationToken));

    public Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken) =>
        Call(() => inner.ReadSecretAsync(name, cancellationToken));

    public Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken) =>
        Call(() => inner.DeleteSecretAsync(name, cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>What a driver throws when the database answers but will not take the statement (a constraint, a bad value).</summary>
    internal sealed class RefusedException() : DbException("simulated refusal: the database will not take this batch");

    /// <summary>What a driver throws when the database cannot be reached.</summary>
    internal sealed class UnreachableException() : DbException("simulated outage: the database does not answer");

    /// <summary>A lease whose check fails while the store is down, as a lost connection's does.</summary>
    private sealed class Lease(FaultyStore owner, IStoreLease inner) : IStoreLease
    {
        public string Name => inner.Name;

        public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
        {
            await owner.Check();
            return await inner.IsHeldAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Subscription(FaultyStore owner, Channel<string> channel) : IStoreSubscription
    {
        public ChannelReader<string> Changes => channel.Reader;

        public bool IsLive => true;

        public ValueTask DisposeAsync()
        {
            lock (owner._subscriptions)
            {
                owner._subscriptions.Remove(channel);
            }

            channel.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
