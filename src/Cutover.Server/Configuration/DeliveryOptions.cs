namespace Cutover.Server.Configuration;

/// <summary><c>Delivery:*</c>: how webhooks reach upstreams.</summary>
public sealed class DeliveryOptions
{
    /// <summary>
    /// <c>direct</c> (default): forward during Meta's request and answer with the outcome.
    /// <c>queued</c> (store first, answer at once, deliver with retries) is not built yet: the rules refuse it.
    /// </summary>
    public DeliveryMode Mode { get; set; } = CutoverDefaults.DeliveryMode;
}
