namespace Cutover.Server.Contracts;

/// <summary>
/// Which instance answered (<c>id</c>: host, process and a random part), whether it is the rollout controller
/// (<c>leader</c>: it holds the store lease, evaluates the rollout, stores the health verdict and purges), since when,
/// and whether it shares conversation memory through the store.
/// </summary>
public sealed record InstanceStatus(string Id, bool Leader, DateTimeOffset? LeaderSince, bool SharedMemory);
