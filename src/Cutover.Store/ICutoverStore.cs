namespace Cutover.Store;

/// <summary>
/// Where Cutover keeps what must outlive the process, whole: what <see cref="StoreFactory"/> opens and its owner
/// disposes. Nobody else depends on it: each caller takes the role it uses (the routing state and its audit trail,
/// the decision log, stats reads, health, the rollout, what instances share, queued delivery, secrets, the database
/// itself), and the host registers this one object as each role. The request path never calls it, except queued
/// delivery's acceptance, through its group commit.
/// </summary>
public interface ICutoverStore
    : IStoreDatabase, IRoutingStore, IDecisionStore, IStatsStore, IHealthStore, IRolloutStore, IClusterStore, IDeliveryStore, ISecretStore, IAsyncDisposable;
