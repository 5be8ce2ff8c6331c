namespace Cutover.Cli.Demo;

/// <summary><c>cutover demo --delivery</c>: which story the demo tells, after the server's <c>Delivery:Mode</c> it runs with.</summary>
internal enum DemoDelivery
{
    /// <summary><c>direct</c> (default): the rollout plan at accelerated time, with a fault and the automatic rollback.</summary>
    Direct = 0,

    /// <summary><c>queued</c>: outages of unified and of every handler in real time, the backlog, dead letters and their replay.</summary>
    Queued = 1,
}
