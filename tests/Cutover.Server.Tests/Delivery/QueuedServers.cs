namespace Cutover.Server.Tests.Delivery;

/// <summary>
/// The tests that run queued-delivery servers (each with its workers polling the store every few milliseconds, and on
/// PostgreSQL a cluster of its own) run one class at a time, apart from the rest of the suite: side by side on the
/// shared 2-core machine they slowed unrelated tests' requests past their 60 s timeouts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QueuedServers
{
    public const string Name = "Queued delivery servers";
}
