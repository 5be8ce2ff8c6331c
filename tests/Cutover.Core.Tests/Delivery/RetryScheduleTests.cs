using Cutover.Core.Delivery;

namespace Cutover.Core.Tests.Delivery;

public sealed class RetryScheduleTests
{
    // Just below 1: the largest draw a [0, 1) source can give, so the delay sits just below its bound.
    private const double AlmostOne = 0.999;

    private static readonly RetrySchedule Schedule = new(TimeSpan.FromSeconds(2), TimeSpan.FromHours(1), 10, TimeSpan.FromDays(1));

    [Fact]
    public void BoundBefore_EarlyRetries_DoubleFromBase()
    {
        var bounds = Enumerable.Range(1, 5).Select(Schedule.BoundBefore).Select(b => b.TotalSeconds);

        Assert.Equal([2.0, 4.0, 8.0, 16.0, 32.0], bounds);
    }

    [Fact]
    public void BoundBefore_PastTheCap_IsTheCap()
    {
        // 2 s · 2^10 = 2048 s is below an hour; 2 s · 2^11 = 4096 s is above.
        Assert.Equal(TimeSpan.FromSeconds(2048), Schedule.BoundBefore(11));
        Assert.Equal(TimeSpan.FromHours(1), Schedule.BoundBefore(12));
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1_000)]
    [InlineData(int.MaxValue)]
    public void DelayBefore_HugeRetryNumber_CappedWithoutOverflow(int retry)
    {
        var delay = Schedule.DelayBefore(retry, AlmostOne);

        Assert.InRange(delay, TimeSpan.FromHours(AlmostOne) - TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
    }

    [Fact]
    public void DelayBefore_CapNearTimeSpanMax_NoOverflow()
    {
        // Not a valid schedule (Validate caps Cap at a day), but the arithmetic must still not throw or wrap.
        var wide = new RetrySchedule(TimeSpan.FromDays(1), TimeSpan.MaxValue, 100, TimeSpan.MaxValue);

        var delay = wide.DelayBefore(99, Math.BitDecrement(1.0));

        Assert.InRange(delay, TimeSpan.FromTicks(TimeSpan.MaxValue.Ticks / 2), TimeSpan.MaxValue);
    }

    [Fact]
    public void DelayBefore_FirstRetry_AtMostBase()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Schedule.BoundBefore(1));
        Assert.InRange(Schedule.DelayBefore(1, Math.BitDecrement(1.0)), TimeSpan.FromSeconds(1.999), TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1_000)]
    public void DelayBefore_RandomZero_Zero(int retry)
    {
        Assert.Equal(TimeSpan.Zero, Schedule.DelayBefore(retry, 0.0));
    }

    [Fact]
    public void DelayBefore_RandomScalesTheBound()
    {
        // Retry 3's bound is 8 s: full jitter spreads the delay uniformly below it.
        Assert.Equal(TimeSpan.FromSeconds(2), Schedule.DelayBefore(3, 0.25));
        Assert.Equal(TimeSpan.FromSeconds(4), Schedule.DelayBefore(3, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(8 * AlmostOne), Schedule.DelayBefore(3, AlmostOne));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void DelayBefore_RandomOutsideUnitInterval_Throws(double random01)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.DelayBefore(1, random01));
    }

    [Fact]
    public void DelayBefore_RetryZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.DelayBefore(0, 0.5));
    }

    [Fact]
    public void DelayBefore_InvalidSchedule_ThrowsWithTheProblems()
    {
        var invalid = Schedule with { Base = TimeSpan.Zero };

        var error = Assert.Throws<InvalidOperationException>(() => invalid.DelayBefore(1, 0.5));

        Assert.Contains("Delivery:RetryBase must be above zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsTheDocumentedSchedule()
    {
        // The values RetrySchedule.Default's comment justifies: changing them changes the delivery contract.
        Assert.Equal(new RetrySchedule(TimeSpan.FromSeconds(2), TimeSpan.FromHours(4), 24, TimeSpan.FromDays(3)), RetrySchedule.Default);
        Assert.Empty(RetrySchedule.Default.Validate());
    }

    [Fact]
    public void Default_SpanMatchesItsComment()
    {
        var schedule = RetrySchedule.Default;

        // 2 s · (2^13 − 1) for retries 1–13, then 10 retries at the 4 h cap.
        Assert.Equal(TimeSpan.FromSeconds(16_382 + 144_000), schedule.MaxTotalDelay);
        Assert.Equal(TimeSpan.FromSeconds(80_191), schedule.ExpectedTotalDelay);
        Assert.Equal(44.6, Math.Round(schedule.MaxTotalDelay.TotalHours, 1));
        Assert.Equal(22.3, Math.Round(schedule.ExpectedTotalDelay.TotalHours, 1));
        // Max age is a backstop: the schedule's own worst case ends before it.
        Assert.True(schedule.MaxTotalDelay < schedule.MaxAge);
    }

    [Fact]
    public void MaxTotalDelay_OneAttempt_Zero()
    {
        Assert.Equal(TimeSpan.Zero, (Schedule with { MaxAttempts = 1 }).MaxTotalDelay);
    }

    [Fact]
    public void Validate_Usable_Empty()
    {
        Assert.Empty(Schedule.Validate());
        Assert.Empty(new RetrySchedule(TimeSpan.FromTicks(1), TimeSpan.FromTicks(1), 1, TimeSpan.FromTicks(1)).Validate());
        Assert.Empty(new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), 100, TimeSpan.FromDays(30)).Validate());
    }

    [Fact]
    public void Validate_EverythingBelowRange_EveryProblemNamedWithItsValue()
    {
        var problems = new RetrySchedule(TimeSpan.Zero, TimeSpan.FromSeconds(-1), 0, TimeSpan.Zero).Validate();

        Assert.Equal(
            [
                "Delivery:RetryBase must be above zero (was 00:00:00).",
                "Delivery:RetryCap must be at least Delivery:RetryBase (was -00:00:01, base 00:00:00).",
                "Delivery:MaxAttempts must be between 1 and 100 (was 0).",
                "Delivery:MaxAge must be above zero (was 00:00:00).",
            ],
            problems);
    }

    [Fact]
    public void Validate_EverythingAboveRange_EveryProblemNamedWithItsValue()
    {
        var problems = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromHours(25), 101, TimeSpan.FromDays(31)).Validate();

        Assert.Equal(
            [
                "Delivery:RetryCap must be at most 1.00:00:00 (was 1.01:00:00).",
                "Delivery:MaxAttempts must be between 1 and 100 (was 101).",
                "Delivery:MaxAge must be at most 30.00:00:00 (was 31.00:00:00).",
            ],
            problems);
    }

    [Fact]
    public void Validate_CapBelowBase_Reported()
    {
        var problems = (Schedule with { Cap = TimeSpan.FromSeconds(1) }).Validate();

        Assert.Equal(["Delivery:RetryCap must be at least Delivery:RetryBase (was 00:00:01, base 00:00:02)."], problems);
    }
}
