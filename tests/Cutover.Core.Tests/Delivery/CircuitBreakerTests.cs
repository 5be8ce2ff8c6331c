using Cutover.Core.Delivery;

namespace Cutover.Core.Tests.Delivery;

public sealed class CircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_Closed_Acquires()
    {
        var breaker = new CircuitBreaker(CircuitBreakerOptions.Default);

        Assert.True(breaker.TryAcquire(T0, out var retryAt));
        Assert.Equal(T0, retryAt);
        Assert.Equal(CircuitState.Closed, breaker.State(T0));
        Assert.Null(breaker.OpenUntil);
    }

    [Fact]
    public void Failed_FewerThanThreshold_StaysClosed()
    {
        var breaker = new CircuitBreaker(CircuitBreakerOptions.Default);

        FailTimes(breaker, 4, T0);

        Assert.Equal(CircuitState.Closed, breaker.State(T0));
        Assert.True(breaker.TryAcquire(T0, out _));
    }

    [Fact]
    public void Failed_SuccessInBetween_CountStartsOver()
    {
        var breaker = new CircuitBreaker(CircuitBreakerOptions.Default);

        FailTimes(breaker, 4, T0);
        breaker.Succeeded(T0);
        FailTimes(breaker, 4, T0);

        Assert.Equal(CircuitState.Closed, breaker.State(T0));
    }

    [Fact]
    public void Failed_Threshold_OpensForTheBreak()
    {
        var breaker = new CircuitBreaker(CircuitBreakerOptions.Default);

        FailTimes(breaker, 5, T0.AddSeconds(1));

        Assert.Equal(CircuitState.Open, breaker.State(T0.AddSeconds(1)));
        Assert.Equal(T0.AddSeconds(11), breaker.OpenUntil);
        Assert.False(breaker.TryAcquire(T0.AddSeconds(5), out var retryAt));
        Assert.Equal(T0.AddSeconds(11), retryAt);
        Assert.False(breaker.TryAcquire(T0.AddSeconds(11) - TimeSpan.FromTicks(1), out _));
    }

    [Fact]
    public void TryAcquire_BreakOver_OneProbeThenWaitForIt()
    {
        var breaker = Opened(out var until);

        Assert.Equal(CircuitState.HalfOpen, breaker.State(until));
        Assert.True(breaker.TryAcquire(until, out var probeAt));
        Assert.Equal(until, probeAt);

        Assert.False(breaker.TryAcquire(until.AddSeconds(1), out var retryAt));
        // The others may ask again when the probe counts as lost: one break after it went.
        Assert.Equal(until.AddSeconds(10), retryAt);
        Assert.Equal(CircuitState.HalfOpen, breaker.State(until.AddSeconds(1)));
    }

    [Fact]
    public void Succeeded_Probe_ClosesAndResetsTheBreak()
    {
        var breaker = Opened(out var until);
        Assert.True(breaker.TryAcquire(until, out _));
        breaker.Failed(until.AddSeconds(1)); // a failed probe: the break doubles to 20 s
        var second = until.AddSeconds(21);
        Assert.True(breaker.TryAcquire(second, out _));

        breaker.Succeeded(second.AddSeconds(1));

        Assert.Equal(CircuitState.Closed, breaker.State(second.AddSeconds(1)));
        Assert.Null(breaker.OpenUntil);
        Assert.True(breaker.TryAcquire(second.AddSeconds(1), out _));
        // Opening again starts from the first break, not the doubled one.
        var again = second.AddSeconds(2);
        FailTimes(breaker, 5, again);
        Assert.Equal(again.AddSeconds(10), breaker.OpenUntil);
    }

    [Fact]
    public void Failed_Probes_BreakDoublesUpToTheMax()
    {
        var breaker = Opened(out var until);
        var breaks = new List<double>();
        var now = until;
        for (var i = 0; i < 7; i++)
        {
            Assert.True(breaker.TryAcquire(now, out _));
            breaker.Failed(now);
            breaks.Add((breaker.OpenUntil!.Value - now).TotalSeconds);
            Assert.Equal(CircuitState.Open, breaker.State(now));
            now = breaker.OpenUntil.Value;
        }

        Assert.Equal([20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0], breaks);
    }

    [Fact]
    public void Failed_WhileOpen_BreakUnchanged()
    {
        var breaker = Opened(out var until);

        // Requests sent before the circuit opened come back failed during the break.
        FailTimes(breaker, 10, until.AddSeconds(-5));

        Assert.Equal(until, breaker.OpenUntil);
        Assert.True(breaker.TryAcquire(until, out _));
    }

    [Fact]
    public void Succeeded_WhileOpen_Closes()
    {
        var breaker = Opened(out var until);

        breaker.Succeeded(until.AddSeconds(-5));

        Assert.Equal(CircuitState.Closed, breaker.State(until.AddSeconds(-5)));
        Assert.True(breaker.TryAcquire(until.AddSeconds(-5), out _));
    }

    [Fact]
    public void TryAcquire_ProbeNeverReports_AnotherProbeAfterOneBreak()
    {
        var breaker = Opened(out var until);
        Assert.True(breaker.TryAcquire(until, out _)); // this probe's worker crashes and never reports

        Assert.False(breaker.TryAcquire(until.AddSeconds(10) - TimeSpan.FromTicks(1), out _));
        Assert.True(breaker.TryAcquire(until.AddSeconds(10), out _));
        Assert.False(breaker.TryAcquire(until.AddSeconds(11), out var retryAt));
        Assert.Equal(until.AddSeconds(20), retryAt);

        // The second probe reports, and the circuit is back to normal.
        breaker.Succeeded(until.AddSeconds(12));
        Assert.Equal(CircuitState.Closed, breaker.State(until.AddSeconds(12)));
    }

    [Fact]
    public void TryAcquire_ConcurrentInHalfOpen_ExactlyOneProbe()
    {
        // One thread per core (at least two): more would only wait for the thread pool to grow. The race window is a few
        // instructions, so on a two-core machine a missing lock shows in some runs only; more cores, more often.
        var threads = Math.Clamp(Environment.ProcessorCount, 2, 16);
        const int rounds = 2_000;
        var breakers = new CircuitBreaker[rounds];
        var untils = new DateTimeOffset[rounds];
        for (var round = 0; round < rounds; round++)
        {
            breakers[round] = Opened(out untils[round]);
        }

        var granted = new int[rounds];
        using var barrier = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
        {
            for (var round = 0; round < rounds; round++)
            {
                // Everyone released at once, so the acquisitions really overlap; a timeout fails instead of hanging.
                Assert.True(barrier.SignalAndWait(TimeSpan.FromSeconds(30)), "the threads never met at the barrier");
                if (breakers[round].TryAcquire(untils[round], out _))
                {
                    Interlocked.Increment(ref granted[round]);
                }
            }
        });

        Assert.All(granted, count => Assert.Equal(1, count));
    }

    [Fact]
    public void Failed_ConcurrentInClosed_EveryFailureCounted()
    {
        const int threshold = 10_000;
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { FailureThreshold = threshold });

        // One short of the threshold from many threads: a lost update would leave it further short.
        Parallel.For(0, threshold - 1, _ => breaker.Failed(T0));
        Assert.Equal(CircuitState.Closed, breaker.State(T0));

        breaker.Failed(T0);
        Assert.Equal(CircuitState.Open, breaker.State(T0));
    }

    [Fact]
    public void Options_Invalid_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { FailureThreshold = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { BreakDuration = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { MaxBreakDuration = TimeSpan.FromDays(2) });
        Assert.Throws<ArgumentException>(() => new CircuitBreaker(new CircuitBreakerOptions { BreakDuration = TimeSpan.FromMinutes(10) }));
    }

    [Fact]
    public void Options_Default_AreTheDocumentedOnes()
    {
        var options = CircuitBreakerOptions.Default;

        Assert.Equal((5, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)), (options.FailureThreshold, options.BreakDuration, options.MaxBreakDuration));
    }

    /// <summary>A breaker with the default options, opened at <see cref="T0"/>; <paramref name="until"/> is the end of its break.</summary>
    private static CircuitBreaker Opened(out DateTimeOffset until)
    {
        var breaker = new CircuitBreaker(CircuitBreakerOptions.Default);
        FailTimes(breaker, 5, T0);
        until = T0.AddSeconds(10);
        Assert.Equal(until, breaker.OpenUntil);
        return breaker;
    }

    private static void FailTimes(CircuitBreaker breaker, int times, DateTimeOffset now)
    {
        for (var i = 0; i < times; i++)
        {
            breaker.Failed(now);
        }
    }
}
