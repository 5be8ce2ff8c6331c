namespace Cutover.Core.Delivery;

/// <summary>What to do with a queued webhook after an attempt: one of the three nested records, and no other.</summary>
public abstract record DeliveryStep
{
    // Private, so that Done, RetryAt and DeadLetter are the only steps there are and a switch over them is complete.
    private DeliveryStep()
    {
    }

    /// <summary>Delivered: nothing more to do.</summary>
    public sealed record Done : DeliveryStep;

    /// <summary>Try again, not before <paramref name="At"/>.</summary>
    public sealed record RetryAt(DateTimeOffset At) : DeliveryStep;

    /// <summary>Give up and keep the webhook for the operator; <paramref name="Reason"/> is one of <see cref="DeadLetterReasons"/>.</summary>
    public sealed record DeadLetter(string Reason) : DeliveryStep;
}
