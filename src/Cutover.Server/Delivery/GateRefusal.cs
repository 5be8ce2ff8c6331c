namespace Cutover.Server.Delivery;

/// <summary>Why <see cref="UpstreamGates.EnterAsync"/> did not let a delivery through.</summary>
internal enum GateRefusal
{
    /// <summary>It did: a place was taken.</summary>
    None = 0,

    /// <summary>The upstream has <c>Delivery:ConcurrencyPerUpstream</c> deliveries already.</summary>
    Busy = 1,

    /// <summary>The upstream's circuit is open: it failed too often, and is only probed now and then.</summary>
    Open = 2,
}
