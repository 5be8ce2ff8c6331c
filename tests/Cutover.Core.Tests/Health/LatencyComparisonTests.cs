using Cutover.Core.Health;

namespace Cutover.Core.Tests.Health;

public sealed class LatencyComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Compare_BothSidesBelowMinimum_InsufficientWithEachShortfall()
    {
        var result = LatencyComparison.Compare(unifiedP95Ms: 900, unifiedRequests: 150, legacyP95Ms: 200, legacyRequests: 199);

        Assert.Equal(LatencyVerdict.Insufficient, result.Verdict);
        Assert.Equal((50L, 1L, 200L), (result.UnifiedRequestsNeeded, result.LegacyRequestsNeeded, result.MinRequestsPerSide));
    }

    [Fact]
    public void Compare_OneSideShort_InsufficientOnlyThatSideNeedsMore()
    {
        var result = LatencyComparison.Compare(unifiedP95Ms: 0, unifiedRequests: 0, legacyP95Ms: 200, legacyRequests: 5_000);

        Assert.Equal(LatencyVerdict.Insufficient, result.Verdict);
        Assert.Equal((200L, 0L), (result.UnifiedRequestsNeeded, result.LegacyRequestsNeeded));
    }

    [Theory]
    [InlineData(300.0)]
    [InlineData(549.9)]
    [InlineData(550.0)] // exactly legacy 400 × 1.25 + 50 passes
    public void Compare_WithinTolerance_Ok(double unifiedP95Ms)
    {
        var result = LatencyComparison.Compare(unifiedP95Ms, 200, legacyP95Ms: 400, legacyRequests: 200);

        Assert.Equal(LatencyVerdict.Ok, result.Verdict);
        Assert.Equal((550.0, 0L, 0L), (result.AllowedP95Ms, result.UnifiedRequestsNeeded, result.LegacyRequestsNeeded));
    }

    [Fact]
    public void Compare_BeyondTolerance_WorseWithTheNumbersUsed()
    {
        var result = LatencyComparison.Compare(unifiedP95Ms: 550.5, unifiedRequests: 1_000, legacyP95Ms: 400, legacyRequests: 4_000);

        Assert.Equal(
            new LatencyComparisonResult
            {
                Verdict = LatencyVerdict.Worse,
                UnifiedP95Ms = 550.5,
                LegacyP95Ms = 400,
                UnifiedRequests = 1_000,
                LegacyRequests = 4_000,
                MinRequestsPerSide = 200,
                AllowedP95Ms = 550,
                UnifiedRequestsNeeded = 0,
                LegacyRequestsNeeded = 0,
            },
            result);
    }

    [Fact]
    public void Compare_FastLegacy_SlackAbsorbsASmallAbsoluteGap()
    {
        // Three times slower, but only 40 ms: the slack is there so fast handlers are not judged on noise.
        Assert.Equal(LatencyVerdict.Ok, LatencyComparison.Compare(60, 500, 20, 500).Verdict);
        Assert.Equal(LatencyVerdict.Worse, LatencyComparison.Compare(76, 500, 20, 500).Verdict);
    }

    [Fact]
    public void Compare_OwnOptions_Used()
    {
        var options = new LatencyComparisonOptions { MinRequestsPerSide = 1_000, Ratio = 1.1, SlackMs = 0 };

        Assert.Equal(LatencyVerdict.Insufficient, LatencyComparison.Compare(100, 999, 100, 1_000, options).Verdict);
        Assert.Equal(LatencyVerdict.Ok, LatencyComparison.Compare(110, 1_000, 100, 1_000, options).Verdict);
        Assert.Equal(LatencyVerdict.Worse, LatencyComparison.Compare(111, 1_000, 100, 1_000, options).Verdict);
    }

    [Fact]
    public void Compare_BadInput_Throws()
    {
        Assert.Equal("unifiedP95Ms", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyComparison.Compare(-1, 200, 100, 200)).ParamName);
        Assert.Equal("legacyP95Ms", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyComparison.Compare(1, 200, double.NaN, 200)).ParamName);
        Assert.Equal("unifiedP95Ms", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyComparison.Compare(double.PositiveInfinity, 200, 1, 200)).ParamName);
        Assert.Equal("unifiedRequests", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyComparison.Compare(1, -1, 1, 200)).ParamName);
        Assert.Equal("legacyRequests", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyComparison.Compare(1, 200, 1, -1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyComparisonOptions { MinRequestsPerSide = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyComparisonOptions { Ratio = 0.9 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyComparisonOptions { SlackMs = -1 });
    }

    [Fact]
    public void Compare_EqualLatencies_HowOftenNoiseAloneSaysWorse()
    {
        // The figures quoted in docs/health-statistics.md: both handlers draw from the same lognormal
        // latency (median 200 ms) and each side's p95 is the exact sample quantile (a real sketch adds its
        // bin error on top). σ = 0.5 is a moderate tail (p95 ≈ 2.3 × median), σ = 1.0 a heavy one (≈ 5.2 ×).
        var moderate200 = FalseWorseRate(sigma: 0.5, perSide: 200, trials: 2_000, seed: 1);
        var heavy200 = FalseWorseRate(sigma: 1.0, perSide: 200, trials: 2_000, seed: 2);
        var heavy1000 = FalseWorseRate(sigma: 1.0, perSide: 1_000, trials: 500, seed: 3);
        output.WriteLine($"one look, equal handlers: σ 0.5 n 200 → {moderate200:P1}; σ 1.0 n 200 → {heavy200:P1}; σ 1.0 n 1000 → {heavy1000:P1}");

        Assert.True(moderate200 <= 0.01, $"{moderate200:P1}");
        Assert.True(heavy1000 <= 0.02, $"{heavy1000:P1}");
        // Not a wish but a documented limit: with a heavy tail, 200 a side is too few for one reading.
        Assert.True(heavy200 >= 0.03, $"{heavy200:P1}");
    }

    private static double FalseWorseRate(double sigma, int perSide, int trials, int seed)
    {
        var rng = new Random(seed);
        var unified = new double[perSide];
        var legacy = new double[perSide];
        var worse = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            Fill(rng, unified, sigma);
            Fill(rng, legacy, sigma);
            var verdict = LatencyComparison.Compare(P95(unified), perSide, P95(legacy), perSide).Verdict;
            worse += verdict == LatencyVerdict.Worse ? 1 : 0;
        }

        return (double)worse / trials;
    }

    private static void Fill(Random rng, double[] latencies, double sigma)
    {
        for (var i = 0; i < latencies.Length; i++)
        {
            // Box–Muller: Random has no normal draw of its own.
            var normal = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            latencies[i] = 200 * Math.Exp(sigma * normal);
        }
    }

    /// <summary>The sample 95th percentile, interpolated between order statistics.</summary>
    private static double P95(double[] latencies)
    {
        Array.Sort(latencies);
        var position = 0.95 * (latencies.Length - 1);
        var below = (int)position;
        var above = Math.Min(below + 1, latencies.Length - 1);
        return latencies[below] + (position - below) * (latencies[above] - latencies[below]);
    }
}
