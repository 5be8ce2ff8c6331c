namespace Cutover.Core.Delivery;

/// <summary>Decides, after each attempt at a queued webhook, whether it is done, retried (when) or dead-lettered.</summary>
public static class DeliveryPolicy
{
    /// <summary>
    /// <list type="number">
    /// <item>Delivered: <see cref="DeliveryStep.Done"/>.</item>
    /// <item>Rejected or too large: dead letter at once (<c>rejected</c>, <c>too_large</c>).</item>
    /// <item>Retryable after the last attempt the schedule allows: dead letter (<c>attempts_exhausted</c>).</item>
    /// <item>Otherwise the delay is the jittered backoff or the upstream's Retry-After, whichever is longer, with
    /// Retry-After cut to the schedule's cap so one answer cannot park a webhook past the schedule.</item>
    /// <item>A retry later than max age after acceptance: dead letter (<c>max_age</c>); else retry then.</item>
    /// </list>
    /// </summary>
    /// <param name="schedule">The retry schedule; it must pass <see cref="RetrySchedule.Validate"/>.</param>
    /// <param name="attemptsMade">Attempts made so far, this one included (1 after the first).</param>
    /// <param name="acceptedAt">When Cutover accepted the webhook (stored it and answered Meta).</param>
    /// <param name="now">When this attempt ended.</param>
    /// <param name="outcome">This attempt's outcome, from <see cref="AttemptOutcomes.Of"/>.</param>
    /// <param name="retryAfter">The upstream's Retry-After on a 429 or 503 (<see cref="RetryAfter.Parse"/>), else null.</param>
    /// <param name="random01">A uniform draw in [0, 1) for the jitter.</param>
    public static DeliveryStep Next(
        RetrySchedule schedule,
        int attemptsMade,
        DateTimeOffset acceptedAt,
        DateTimeOffset now,
        AttemptOutcome outcome,
        TimeSpan? retryAfter,
        double random01)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        switch (outcome)
        {
            case AttemptOutcome.Delivered:
                return new DeliveryStep.Done();
            case AttemptOutcome.Rejected:
                return new DeliveryStep.DeadLetter(DeadLetterReasons.Rejected);
            case AttemptOutcome.TooLarge:
                return new DeliveryStep.DeadLetter(DeadLetterReasons.TooLarge);
            case AttemptOutcome.Retryable:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown attempt outcome.");
        }

        if (attemptsMade >= schedule.MaxAttempts)
        {
            return new DeliveryStep.DeadLetter(DeadLetterReasons.AttemptsExhausted);
        }

        // attemptsMade attempts have failed, so the next one is retry number attemptsMade.
        var backoff = schedule.DelayBefore(attemptsMade, random01);
        var asked = retryAfter is { } r ? Clamp(r, TimeSpan.Zero, schedule.Cap) : TimeSpan.Zero;
        var delay = asked > backoff ? asked : backoff;

        // now + delay > acceptedAt + MaxAge, compared as ages in Int128 ticks so that no sum can overflow.
        var age = (Int128)now.UtcTicks - acceptedAt.UtcTicks;
        if (age + delay.Ticks > schedule.MaxAge.Ticks)
        {
            return new DeliveryStep.DeadLetter(DeadLetterReasons.MaxAge);
        }

        return new DeliveryStep.RetryAt(now + delay);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
