using Microsoft.Extensions.Logging;

namespace Cutover.Server.Telemetry;

/// <summary>
/// Every log message of the server. Event ids: 1xxx hot path, 2xxx store, 3xxx background services,
/// 4xxx leadership and the stored health verdict, 5xxx admin, 6xxx queued delivery. Payloads, user keys and secrets are never logged.
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(1001, LogLevel.Debug, "Webhook refused with {StatusCode}: {Problem}")]
    public static partial void WebhookRefused(ILogger logger, int statusCode, string problem);

    [LoggerMessage(1002, LogLevel.Warning, "Upstream {Upstream} failed ({Error}, status {StatusCode}) for correlation {CorrelationId}")]
    public static partial void UpstreamFailed(ILogger logger, string upstream, string error, int statusCode, string correlationId, Exception? exception);

    [LoggerMessage(1003, LogLevel.Warning, "Unified failed for correlation {CorrelationId}; falling back to {Upstream}")]
    public static partial void FallingBack(ILogger logger, string correlationId, string upstream);

    [LoggerMessage(1004, LogLevel.Error, "No upstream took correlation {CorrelationId}; answering 502 so Meta retries")]
    public static partial void NoUpstream(ILogger logger, string correlationId);

    [LoggerMessage(1005, LogLevel.Information, "Client went away while sending the webhook body; nothing was forwarded")]
    public static partial void ClientAborted(ILogger logger);

    [LoggerMessage(1012, LogLevel.Warning, "Webhook body could not be read ({Problem}); answered {StatusCode} so Meta retries")]
    public static partial void BodyUnreadable(ILogger logger, int statusCode, string problem);

    [LoggerMessage(1013, LogLevel.Error, "Webhook {CorrelationId} could not be stored for queued delivery; answered 503 so Meta retries")]
    public static partial void NotQueued(ILogger logger, string correlationId, Exception exception);

    [LoggerMessage(1014, LogLevel.Warning, "Signed webhook {CorrelationId} does not parse; stored as a dead letter (cutover dlq list --reason unparseable)")]
    public static partial void DeadLetteredUnparseable(ILogger logger, string correlationId);

    [LoggerMessage(6008, LogLevel.Information, "Retention purge: {Delivered} delivered updates before {DeliveredBefore}, {Keys} deduplication keys before {KeysBefore}")]
    public static partial void PurgedDeliveries(ILogger logger, long delivered, DateTimeOffset deliveredBefore, long keys, DateTimeOffset keysBefore);

    [LoggerMessage(6001, LogLevel.Information, "Queued delivery: {Workers} workers, {PerUpstream} per upstream, lease {Lease}, as {Owner}")]
    public static partial void DeliveryStarted(ILogger logger, int workers, int perUpstream, TimeSpan lease, string owner);

    [LoggerMessage(6002, LogLevel.Warning, "Could not claim deliveries from the store; trying again in {Delay}")]
    public static partial void DeliveryClaimFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(6003, LogLevel.Warning, "Could not record the outcome of delivery {Id} (correlation {CorrelationId}); it is tried again when its lease ends")]
    public static partial void DeliveryFinishFailed(ILogger logger, long id, string correlationId, Exception exception);

    [LoggerMessage(6004, LogLevel.Warning, "Delivery {Id} (correlation {CorrelationId}) was no longer leased to this instance when it finished: its lease ran out, so it may be delivered again")]
    public static partial void DeliveryLeaseLost(ILogger logger, long id, string correlationId);

    [LoggerMessage(6005, LogLevel.Warning, "Delivery {Id} (correlation {CorrelationId}) went to the dead letters after {Attempts} attempts: {Reason}")]
    public static partial void DeadLettered(ILogger logger, long id, string correlationId, int attempts, string reason);

    [LoggerMessage(6006, LogLevel.Error, "Unexpected error delivering {Id} (correlation {CorrelationId}); it is tried again when its lease ends")]
    public static partial void DeliveryCrashed(ILogger logger, long id, string correlationId, Exception exception);

    [LoggerMessage(6009, LogLevel.Warning, "Delivery {Id}, claimed again while this instance was still delivering it, could not be released; it is claimed again when its lease ends")]
    public static partial void DeliveryReleaseFailed(ILogger logger, long id, Exception exception);

    [LoggerMessage(6007, LogLevel.Information, "Queued delivery stopped with {InFlight} deliveries finishing")]
    public static partial void DeliveryStopping(ILogger logger, int inFlight);

    [LoggerMessage(1006, LogLevel.Error, "Unexpected error while handling a webhook (correlation {CorrelationId})")]
    public static partial void WebhookCrashed(ILogger logger, string correlationId, Exception exception);

    [LoggerMessage(1007, LogLevel.Information, "Webhooks run {Where}")]
    public static partial void WebhookThreads(ILogger logger, string where);

    [LoggerMessage(1008, LogLevel.Warning, "Insecure set-up: {Warning}")]
    public static partial void WebhooksUnsigned(ILogger logger, string warning);

    [LoggerMessage(2001, LogLevel.Information, "Store {Provider} at {Location}: schema version {Version} ({Applied} migrations applied)")]
    public static partial void StoreReady(ILogger logger, string provider, string location, int version, int applied);

    [LoggerMessage(2002, LogLevel.Warning, "Writing {Count} decisions failed (attempt {Attempt})")]
    public static partial void DecisionWriteFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(2003, LogLevel.Error, "Gave up writing {Count} decisions; they are counted as failed")]
    public static partial void DecisionsLost(ILogger logger, int count);

    [LoggerMessage(2004, LogLevel.Warning, "Could not read the routing version from the store")]
    public static partial void RoutingPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(3001, LogLevel.Information, "Decision log drained: {Written} written, {Dropped} dropped, {Failed} failed")]
    public static partial void DecisionLogStopped(ILogger logger, long written, long dropped, long failed);

    [LoggerMessage(3002, LogLevel.Warning, "Decision log queue is full: {Dropped} records dropped so far")]
    public static partial void DecisionsDropped(ILogger logger, long dropped);

    [LoggerMessage(3008, LogLevel.Warning, "Decision log writer is behind ({Queued} records queued): writing at normal priority until at most {CaughtUp} are (logged at most once a minute)")]
    public static partial void DecisionLogBehind(ILogger logger, int queued, int caughtUp);

    [LoggerMessage(5001, LogLevel.Information, "Routing change by {Actor} ({Kind}): {Reason}; version {Version}")]
    public static partial void RoutingChanged(ILogger logger, string actor, string kind, string reason, long version);

    [LoggerMessage(5002, LogLevel.Information, "Routing state version {Version} loaded from the store")]
    public static partial void RoutingLoaded(ILogger logger, long version);

    [LoggerMessage(5003, LogLevel.Warning, "Admin request refused ({StatusCode}): {Problem}")]
    public static partial void AdminRefused(ILogger logger, int statusCode, string problem);

    [LoggerMessage(3003, LogLevel.Information, "Retention purge: {Decisions} decisions before {DecisionsBefore:O} and {Rollups} rollup rows before {RollupsBefore:O} deleted")]
    public static partial void Purged(ILogger logger, long decisions, DateTimeOffset decisionsBefore, long rollups, DateTimeOffset rollupsBefore);

    [LoggerMessage(3004, LogLevel.Warning, "Retention purge failed; it runs again in {Interval}")]
    public static partial void PurgeFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(5004, LogLevel.Information, "Rollout {Kind} by {Actor}: {Reason}")]
    public static partial void RolloutChanged(ILogger logger, string actor, string kind, string reason);

    [LoggerMessage(5005, LogLevel.Error, "Rollout evaluation failed; the next one is in {Interval}")]
    public static partial void RolloutEvaluationFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(5006, LogLevel.Warning, "Notification to {Url} given up after {Attempts} attempts: {Problem}")]
    public static partial void NotificationFailed(ILogger logger, string url, int attempts, string problem, Exception? exception);

    [LoggerMessage(5007, LogLevel.Warning, "Rollback by {Actor} to {Percent}%: {Reason}")]
    public static partial void RolledBack(ILogger logger, string actor, decimal percent, string reason);

    [LoggerMessage(5020, LogLevel.Information, "Dead letters replayed by {Actor}: {Count} to {Target}: {Reason}")]
    public static partial void DeadLettersReplayed(ILogger logger, string actor, int count, string target, string reason);

    [LoggerMessage(5021, LogLevel.Information, "Dead letters purged by {Actor}: {Count} that died before {Before:O}: {Reason}")]
    public static partial void DeadLettersPurged(ILogger logger, string actor, long count, DateTimeOffset before, string reason);

    [LoggerMessage(2005, LogLevel.Warning, "Store unavailable to {Component}: {Error}; routing goes on from memory and the call is retried")]
    public static partial void StoreUnavailable(ILogger logger, string component, string error, Exception exception);

    [LoggerMessage(2006, LogLevel.Information, "Store available again to {Component} (failing since {Since:O}, {Failures} failures)")]
    public static partial void StoreRecovered(ILogger logger, string component, DateTimeOffset since, long failures);

    [LoggerMessage(2007, LogLevel.Warning, "Listening for store changes failed; trying again in {Delay} (polling goes on meanwhile)")]
    public static partial void SubscriptionFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(2008, LogLevel.Debug, "Store change notification {Channel}")]
    public static partial void StoreChanged(ILogger logger, string channel);

    [LoggerMessage(2101, LogLevel.Information, "User keys and message ids are stored hashed with the key {Where}")]
    public static partial void HashKeyInUse(ILogger logger, string where);

    [LoggerMessage(2102, LogLevel.Warning, "The hashing key file {Path} could be read by others (mode {Mode}); it is now owner-only (600)")]
    public static partial void HashKeyFileModeFixed(ILogger logger, string path, string mode);

    [LoggerMessage(2103, LogLevel.Warning, "Deleted the hashing key an earlier version kept in the store ({Provider}), beside the hashes it protects: {Consequence}")]
    public static partial void StoredHashKeyDeleted(ILogger logger, string provider, string consequence);

    [LoggerMessage(2104, LogLevel.Warning, "The store is in memory: user keys and message ids are hashed with a key made for this run only")]
    public static partial void HashKeyEphemeral(ILogger logger);

    [LoggerMessage(3005, LogLevel.Information, "Conversation memory purge: {Count} shared entries seen before {Before:O} deleted")]
    public static partial void ConversationsPurged(ILogger logger, long count, DateTimeOffset before);

    [LoggerMessage(3006, LogLevel.Warning, "Conversation memory sync queue is full: {Dropped} entries not shared so far")]
    public static partial void ConversationsDropped(ILogger logger, long dropped);

    [LoggerMessage(3007, LogLevel.Information, "Conversation memory is shared through the store every {Interval} as instance {Instance}")]
    public static partial void ConversationsShared(ILogger logger, TimeSpan interval, string instance);

    [LoggerMessage(3009, LogLevel.Information, "Identity map: {Count} identifiers of persons loaded from the store")]
    public static partial void IdentitiesLoaded(ILogger logger, int count);

    [LoggerMessage(3010, LogLevel.Warning, "Identity map sync queue is full: {Dropped} identifiers learned but not stored so far")]
    public static partial void IdentitiesDropped(ILogger logger, long dropped);

    [LoggerMessage(4001, LogLevel.Information, "Instance {Instance} is now the rollout controller (lease {Lease})")]
    public static partial void LeadershipAcquired(ILogger logger, string instance, string lease);

    [LoggerMessage(4002, LogLevel.Warning, "Instance {Instance} lost the rollout controller lease {Lease}; it stops evaluating until it wins it again")]
    public static partial void LeadershipLost(ILogger logger, string instance, string lease, Exception? exception);

    [LoggerMessage(4003, LogLevel.Information, "Instance {Instance} gave up the rollout controller lease {Lease} (stopping)")]
    public static partial void LeadershipReleased(ILogger logger, string instance, string lease);

    [LoggerMessage(4004, LogLevel.Warning, "Could not store the health verdict; the next evaluation tries again")]
    public static partial void HealthSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(5008, LogLevel.Warning, "Insecure set-up: {Warning}")]
    public static partial void AdminUnauthenticated(ILogger logger, string warning);
}
