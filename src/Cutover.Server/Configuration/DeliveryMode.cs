using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Server.Configuration;

/// <summary><c>Delivery:Mode</c> (<c>direct</c>, <c>queued</c>): how webhooks reach upstreams.</summary>
[TypeConverter(typeof(EnumNameConverter<DeliveryMode>))]
public enum DeliveryMode
{
    /// <summary><c>direct</c>: forward while Meta waits; answer with the outcome.</summary>
    Direct = 0,

    /// <summary><c>queued</c>: store first, answer at once, deliver with retries, per-person order and dead letters (docs/delivery.md).</summary>
    Queued = 1,
}
