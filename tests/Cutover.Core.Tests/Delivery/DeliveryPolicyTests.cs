using Cutover.Core.Delivery;

namespace Cutover.Core.Tests.Delivery;

public sealed class DeliveryPolicyTests
{
    private static readonly RetrySchedule Schedule = new(TimeSpan.FromSeconds(2), TimeSpan.FromHours(1), 5, TimeSpan.FromDays(1));
    private static readonly DateTimeOffset Accepted = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Accepted.AddSeconds(10);

    [Fact]
    public void Next_Delivered_Done()
    {
        Assert.Equal(new DeliveryStep.Done(), Next(1, AttemptOutcome.Delivered));
    }

    [Fact]
    public void Next_DeliveredOnTheLastAttemptPastMaxAge_StillDone()
    {
        Assert.Equal(new DeliveryStep.Done(), Next(5, AttemptOutcome.Delivered, now: Accepted.AddDays(2)));
    }

    [Fact]
    public void Next_Rejected_DeadLetterAtOnce()
    {
        Assert.Equal(new DeliveryStep.DeadLetter("rejected"), Next(1, AttemptOutcome.Rejected));
    }

    [Fact]
    public void Next_TooLarge_DeadLetterAtOnce()
    {
        Assert.Equal(new DeliveryStep.DeadLetter("too_large"), Next(1, AttemptOutcome.TooLarge));
    }

    [Fact]
    public void Next_RetryableFirstAttempt_RetryWithinBase()
    {
        // Retry 1's bound is the 2 s base; half of it with random 0.5.
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddSeconds(1)), Next(1, AttemptOutcome.Retryable, random01: 0.5));
    }

    [Fact]
    public void Next_RetryableThirdAttempt_BackedOff()
    {
        // Three attempts failed: retry 3, bound 8 s.
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddSeconds(4)), Next(3, AttemptOutcome.Retryable, random01: 0.5));
    }

    [Fact]
    public void Next_RetryableBeforeTheLastAttempt_Retry()
    {
        Assert.IsType<DeliveryStep.RetryAt>(Next(4, AttemptOutcome.Retryable));
    }

    [Fact]
    public void Next_RetryableOnTheLastAttempt_AttemptsExhausted()
    {
        Assert.Equal(new DeliveryStep.DeadLetter("attempts_exhausted"), Next(5, AttemptOutcome.Retryable));
    }

    [Fact]
    public void Next_ExhaustedAndPastMaxAge_AttemptsExhaustedFirst()
    {
        Assert.Equal(new DeliveryStep.DeadLetter("attempts_exhausted"), Next(5, AttemptOutcome.Retryable, now: Accepted.AddDays(2)));
    }

    [Fact]
    public void Next_RetryLandingExactlyOnMaxAge_Retry()
    {
        // Retry 2: bound 4 s, 3 s with 0.75; the retry falls on accepted + max age exactly, which is still allowed.
        var now = Accepted + Schedule.MaxAge - TimeSpan.FromSeconds(3);

        Assert.Equal(new DeliveryStep.RetryAt(Accepted + Schedule.MaxAge), Next(2, AttemptOutcome.Retryable, now: now, random01: 0.75));
    }

    [Fact]
    public void Next_RetryLandingPastMaxAge_MaxAge()
    {
        var now = Accepted + Schedule.MaxAge - TimeSpan.FromSeconds(3) + TimeSpan.FromTicks(1);

        Assert.Equal(new DeliveryStep.DeadLetter("max_age"), Next(2, AttemptOutcome.Retryable, now: now, random01: 0.75));
    }

    [Fact]
    public void Next_RetryAfterLongerThanBackoff_Honoured()
    {
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddSeconds(30)), Next(1, AttemptOutcome.Retryable, TimeSpan.FromSeconds(30), 0.5));
    }

    [Fact]
    public void Next_RetryAfterShorterThanBackoff_BackoffWins()
    {
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddSeconds(4)), Next(3, AttemptOutcome.Retryable, TimeSpan.FromSeconds(1), 0.5));
    }

    [Fact]
    public void Next_RetryAfterZero_Backoff()
    {
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddSeconds(1)), Next(1, AttemptOutcome.Retryable, TimeSpan.Zero, 0.5));
    }

    [Fact]
    public void Next_RetryAfterBeyondTheCap_CappedAtTheCap()
    {
        Assert.Equal(new DeliveryStep.RetryAt(Now.AddHours(1)), Next(1, AttemptOutcome.Retryable, TimeSpan.FromDays(1), 0.5));
    }

    [Fact]
    public void Next_RetryAfterPastMaxAge_MaxAge()
    {
        var now = Accepted.AddHours(23.5);

        Assert.Equal(new DeliveryStep.DeadLetter("max_age"), Next(1, AttemptOutcome.Retryable, TimeSpan.FromHours(1), 0.0, now));
    }

    [Fact]
    public void Next_NoAttemptMade_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Next(0, AttemptOutcome.Retryable));
    }

    [Fact]
    public void Next_DefaultScheduleAgainstADeadUpstream_AllAttemptsWithinTheDocumentedSpan()
    {
        // Every attempt fails, and every draw is the largest: the walk takes the schedule's longest path.
        var schedule = RetrySchedule.Default;
        var now = Accepted;
        var attempts = 1;
        DeliveryStep step;
        while ((step = DeliveryPolicy.Next(schedule, attempts, Accepted, now, AttemptOutcome.Retryable, null, Math.BitDecrement(1.0))) is DeliveryStep.RetryAt retry)
        {
            now = retry.At;
            attempts++;
        }

        Assert.Equal(new DeliveryStep.DeadLetter("attempts_exhausted"), step);
        Assert.Equal(24, attempts);
        Assert.InRange(now - Accepted, schedule.MaxTotalDelay - TimeSpan.FromMilliseconds(1), schedule.MaxTotalDelay);
    }

    private static DeliveryStep Next(
        int attempts,
        AttemptOutcome outcome,
        TimeSpan? retryAfter = null,
        double random01 = 0.5,
        DateTimeOffset? now = null)
        => DeliveryPolicy.Next(Schedule, attempts, Accepted, now ?? Now, outcome, retryAfter, random01);
}
