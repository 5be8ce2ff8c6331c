using Cutover.Core.Health;

namespace Cutover.Core.Tests.Health;

public sealed class ErrorRateComparisonTests(ITestOutputHelper output)
{
    private const double Alpha = 0.01;
    private const int Looks = 1_000;
    private const double LegacyErrorRate = 0.005;

    // One-sided 1% critical value of the standard normal, for the naive repeated z-test.
    private const double NaiveCriticalZ = 2.3263478740408408;

    // Both null-hypothesis tests read the same streams, so the contrast between them is like for like.
    private static readonly Lazy<NullRuns> EqualRates = new(static () => SimulateEqualRates(streams: 1_000));

    [Fact]
    public void Add_EqualErrorRatesWatchedAtEveryInterval_FalseAlarmsWithinAlpha()
    {
        var runs = EqualRates.Value;
        var rate = (double)runs.SequentialAlarms / runs.Streams;
        // Ville bounds the true rate by alpha; allow three binomial standard errors for the simulation's own noise.
        var bound = Alpha + 3 * Math.Sqrt(Alpha * (1 - Alpha) / runs.Streams);

        output.WriteLine($"{runs.Streams} streams × {Looks} looks, equal error rates: sequential test alarmed in {runs.SequentialAlarms} ({rate:P2}), bound {bound:P2}");

        Assert.True(rate <= bound, $"false alarm rate {rate:P2} > {bound:P2}");
    }

    [Fact]
    public void NaiveZTest_EqualErrorRatesRepeatedAtEveryInterval_ExceedsAlpha()
    {
        var runs = EqualRates.Value;
        var rate = (double)runs.NaiveAlarms / runs.Streams;
        var bound = Alpha + 3 * Math.Sqrt(Alpha * (1 - Alpha) / runs.Streams);

        output.WriteLine($"{runs.Streams} streams × {Looks} looks, equal error rates: one-sided 1% z-test on the running totals alarmed in {runs.NaiveAlarms} ({rate:P2})");

        // The point of the contrast: the simulation is able to see an inflated false alarm rate.
        Assert.True(rate > bound, $"naive rate {rate:P2} should exceed {bound:P2}");
    }

    [Fact]
    public void Add_UnifiedTwiceAsBadAtShare35_DetectedWithinPredictedErrors()
    {
        const int streams = 300;
        var atDetection = new List<long>();
        for (var stream = 0; stream < streams; stream++)
        {
            var rng = new Random(20_000 + stream);
            var comparison = new ErrorRateComparison();
            for (var look = 0; look < Looks && !comparison.Worse; look++)
            {
                comparison.Add(Minute(rng, 0.35, 2 * LegacyErrorRate, LegacyErrorRate));
            }

            if (comparison.Worse)
            {
                atDetection.Add(comparison.ErrorsCompared);
            }
        }

        var predicted = ErrorRateComparison.ExpectedErrorsToDetect(2.0, 0.35, Alpha);
        var median = Median(atDetection);
        output.WriteLine($"θ = 2 at share 35%: detected in {atDetection.Count} of {streams} streams; median {median} errors at detection, predicted {predicted:F1}");

        Assert.True(atDetection.Count >= 0.95 * streams, $"detected in only {atDetection.Count} of {streams}");
        Assert.True(median <= 1.5 * predicted, $"median {median} errors > 1.5 × predicted {predicted:F1}");
    }

    [Fact]
    public void Add_UnifiedHalfAsBad_NeverWorse()
    {
        for (var stream = 0; stream < 300; stream++)
        {
            var rng = new Random(30_000 + stream);
            var comparison = new ErrorRateComparison();
            for (var look = 0; look < Looks; look++)
            {
                comparison.Add(Minute(rng, ShareAt(look), 0.5 * LegacyErrorRate, LegacyErrorRate));
            }

            Assert.False(comparison.Worse, $"stream {stream} flagged a better unified handler");
            Assert.True(comparison.LogLikelihoodRatio < 0);
        }
    }

    [Fact]
    public void Add_RegressionAfterLongHealthyRun_DetectedMuchLaterThanFresh()
    {
        // Documents the cost of accumulated evidence (docs/health-statistics.md): healthy minutes push Λ
        // down, so a regression that starts late has to climb back first.
        const int streams = 100;
        var fresh = new List<long>();
        var late = new List<long>();
        for (var stream = 0; stream < streams; stream++)
        {
            var rng = new Random(40_000 + stream);
            var comparison = new ErrorRateComparison();
            for (var look = 0; look < Looks; look++)
            {
                comparison.Add(Minute(rng, 0.35, LegacyErrorRate, LegacyErrorRate));
            }

            var before = comparison.ErrorsCompared;
            for (var look = 0; look < 5 * Looks && !comparison.Worse; look++)
            {
                comparison.Add(Minute(rng, 0.35, 2 * LegacyErrorRate, LegacyErrorRate));
            }

            Assert.True(comparison.Worse, $"stream {stream} never detected the late regression");
            late.Add(comparison.ErrorsCompared - before);

            var restarted = new ErrorRateComparison();
            while (!restarted.Worse)
            {
                restarted.Add(Minute(rng, 0.35, 2 * LegacyErrorRate, LegacyErrorRate));
            }

            fresh.Add(restarted.ErrorsCompared);
        }

        output.WriteLine($"θ = 2 at share 35%: median {Median(fresh)} errors to detect from a fresh start, {Median(late)} after {Looks} healthy minutes");

        Assert.True(Median(late) > 3 * Median(fresh));
    }

    [Fact]
    public void Evaluate_OneInterval_IsTheMixtureOfTheTwoLikelihoodRatios()
    {
        var prior = new RiskRatioPrior([2.0, 4.0], [1.0, 3.0]);
        // Share 0.5: LR_θ = θ^eu / ((θ + 1) / 2)^(eu + el).
        var expected = 0.25 * Math.Pow(2, 3) / Math.Pow(1.5, 4) + 0.75 * Math.Pow(4, 3) / Math.Pow(2.5, 4);

        var result = ErrorRateComparison.Evaluate([new ComparisonInterval(100, 3, 100, 1)], new ErrorComparisonOptions { Prior = prior });

        Assert.Equal(Math.Log(expected), result.LogLikelihoodRatio, 12);
        Assert.Equal(expected, result.LikelihoodRatio, 12);
    }

    [Fact]
    public void Add_OneAtATime_SameResultAsEvaluate()
    {
        var rng = new Random(7);
        var intervals = Enumerable.Range(0, 200).Select(look => Minute(rng, ShareAt(look * 5), 0.007, LegacyErrorRate)).ToArray();
        var comparison = new ErrorRateComparison();

        foreach (var interval in intervals)
        {
            comparison.Add(interval);
        }

        Assert.Equal(ErrorRateComparison.Evaluate(intervals), comparison.Result());
    }

    [Fact]
    public void Add_EvidenceFallsAfterCrossing_WorseStays()
    {
        var intervals = new List<ComparisonInterval> { new(1_000, 30, 1_000, 0) };
        intervals.AddRange(Enumerable.Repeat(new ComparisonInterval(1_000, 0, 1_000, 30), 200));

        var result = ErrorRateComparison.Evaluate(intervals);

        Assert.True(result.Worse);
        Assert.Equal(1, result.WorseAtInterval);
        Assert.True(result.LikelihoodRatio < result.Threshold);
    }

    [Fact]
    public void Evaluate_NoData_NeutralAndUndefinedRates()
    {
        var result = ErrorRateComparison.Evaluate([]);

        Assert.Equal((0.0, 1.0, 100.0, false, (long?)null), (result.LogLikelihoodRatio, result.LikelihoodRatio, result.Threshold, result.Worse, result.WorseAtInterval));
        Assert.Equal((0L, 0L, 0L, 0L), (result.Intervals, result.InformativeIntervals, result.ErrorsSeen, result.ErrorsCompared));
        Assert.Null(result.UnifiedErrorRate);
        Assert.Null(result.LegacyErrorRate);
        Assert.Null(result.ObservedRatio);
        Assert.Null(result.StratifiedRatio);
    }

    [Fact]
    public void Evaluate_NoErrorsAnywhere_NoEvidenceEitherWay()
    {
        var result = ErrorRateComparison.Evaluate(Enumerable.Repeat(new ComparisonInterval(1_000, 0, 3_000, 0), 500));

        Assert.Equal(0.0, result.LogLikelihoodRatio);
        Assert.False(result.Worse);
        Assert.Equal((0.0, 0.0), (result.UnifiedErrorRate, result.LegacyErrorRate));
        Assert.Null(result.ObservedRatio);
        Assert.Null(result.StratifiedRatio);
        Assert.Equal(500, result.InformativeIntervals);
    }

    [Fact]
    public void Evaluate_TrafficOnOneSideOnly_SkippedAsUninformative()
    {
        var result = ErrorRateComparison.Evaluate(
        [
            .. Enumerable.Repeat(new ComparisonInterval(1_000, 500, 0, 0), 100),
            .. Enumerable.Repeat(new ComparisonInterval(0, 0, 1_000, 1), 100),
        ]);

        Assert.Equal(0.0, result.LogLikelihoodRatio);
        Assert.False(result.Worse);
        Assert.Equal((200L, 0L, 0L, 50_100L), (result.Intervals, result.InformativeIntervals, result.ErrorsCompared, result.ErrorsSeen));
        Assert.Equal(0.5, result.UnifiedErrorRate);
        Assert.Equal(0.001, result.LegacyErrorRate);
        Assert.Null(result.StratifiedRatio);
    }

    [Fact]
    public void Evaluate_TrillionsOfRequests_FiniteEvidenceNoOverflow()
    {
        var worse = ErrorRateComparison.Evaluate(Enumerable.Repeat(new ComparisonInterval(1_000_000_000_000, 20_000_000_000, 1_000_000_000_000, 10_000_000_000), 1_000));
        var better = ErrorRateComparison.Evaluate(Enumerable.Repeat(new ComparisonInterval(1_000_000_000_000, 10_000_000_000, 1_000_000_000_000, 20_000_000_000), 1_000));
        var lopsided = ErrorRateComparison.Evaluate([new ComparisonInterval(1, 1, 1_000_000_000_000, 1_000_000_000)]);
        var extreme = ErrorRateComparison.Evaluate([new ComparisonInterval(long.MaxValue, long.MaxValue / 2, long.MaxValue, long.MaxValue / 4)]);

        Assert.True(worse.Worse);
        Assert.True(double.IsFinite(worse.LogLikelihoodRatio) && worse.LogLikelihoodRatio > 1e12);
        Assert.Equal(ErrorComparisonResult.DisplayCap, worse.LikelihoodRatio);
        Assert.Equal(2.0, worse.ObservedRatio!.Value, 12);
        Assert.Equal(2.0, worse.StratifiedRatio!.Value, 12);
        Assert.False(better.Worse);
        Assert.True(double.IsFinite(better.LogLikelihoodRatio) && better.LogLikelihoodRatio < -1e12);
        Assert.Equal(0.0, better.LikelihoodRatio);
        Assert.True(double.IsFinite(lopsided.LogLikelihoodRatio) && lopsided.LogLikelihoodRatio > 0);
        Assert.True(extreme.Worse && double.IsFinite(extreme.LogLikelihoodRatio));
    }

    [Fact]
    public void Evaluate_ShareAndBaselineMoveTogether_StratifiedRatioSeesThroughPooling()
    {
        // Equal error rates within each minute, but the busy-error minute had little unified traffic:
        // pooling makes unified look better, comparing within minutes does not.
        var result = ErrorRateComparison.Evaluate([new ComparisonInterval(100, 2, 900, 18), new ComparisonInterval(1_000, 1, 1_000, 1)]);

        Assert.Equal(3.0 / 1_100 / (19.0 / 1_900), result.ObservedRatio!.Value, 12);
        Assert.Equal(1.0, result.StratifiedRatio!.Value, 12);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0, "UnifiedRequests")]
    [InlineData(0, -1, 0, 0, "UnifiedErrors")]
    [InlineData(1, 2, 0, 0, "UnifiedErrors")]
    [InlineData(0, 0, -1, 0, "LegacyRequests")]
    [InlineData(0, 0, 0, -1, "LegacyErrors")]
    [InlineData(5, 0, 3, 4, "LegacyErrors")]
    public void ComparisonInterval_BadCounts_ArgumentExceptionNamingTheField(long nu, long eu, long nl, long el, string field)
    {
        var thrown = Assert.ThrowsAny<ArgumentException>(() => new ComparisonInterval(nu, eu, nl, el));

        Assert.Equal(field, thrown.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void Options_AlphaOutsideZeroToOne_Throws(double alpha)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new ErrorComparisonOptions { Alpha = alpha });

        Assert.Equal("Alpha", thrown.ParamName);
    }

    [Fact]
    public void RiskRatioPrior_BadPoints_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskRatioPrior.Uniform(1.0, 2.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskRatioPrior.Uniform(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskRatioPrior.Uniform(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RiskRatioPrior([2.0], [0.0]));
        Assert.Throws<ArgumentException>(() => RiskRatioPrior.Uniform());
        Assert.Throws<ArgumentException>(() => new RiskRatioPrior([2.0, 3.0], [1.0]));
        Assert.Throws<ArgumentNullException>(() => new ErrorComparisonOptions { Prior = null! });
    }

    [Fact]
    public void RiskRatioPrior_Default_EqualWeightsOnSixRatios()
    {
        Assert.Equal([1.25, 1.5, 2.0, 3.0, 5.0, 10.0], RiskRatioPrior.Default.Ratios);
        Assert.All(RiskRatioPrior.Default.Weights, w => Assert.Equal(1.0 / 6, w, 15));
    }

    [Fact]
    public void ExpectedErrorsToDetect_TwiceAtShare35_IsThresholdOverKullbackLeibler()
    {
        const double s = 0.35;
        var p = 2 * s / (2 * s + 1 - s);
        var kl = p * Math.Log(p / s) + (1 - p) * Math.Log((1 - p) / (1 - s));

        Assert.Equal((Math.Log(100) + Math.Log(6)) / kl, ErrorRateComparison.ExpectedErrorsToDetect(2.0, s, Alpha), 9);
    }

    [Theory]
    [InlineData(1.0, 0.35)]
    [InlineData(0.5, 0.35)]
    [InlineData(1.1, 0.35)] // too close to 1: even the 1.25 point loses evidence on average
    [InlineData(3.0, 0.0)]
    [InlineData(3.0, 1.0)]
    public void ExpectedErrorsToDetect_NoDetectionExpected_Infinity(double theta, double share)
    {
        Assert.Equal(double.PositiveInfinity, ErrorRateComparison.ExpectedErrorsToDetect(theta, share, Alpha));
    }

    [Fact]
    public void ExpectedErrorsToDetect_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorRateComparison.ExpectedErrorsToDetect(0.0, 0.5, Alpha));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorRateComparison.ExpectedErrorsToDetect(double.NaN, 0.5, Alpha));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorRateComparison.ExpectedErrorsToDetect(2.0, 1.5, Alpha));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorRateComparison.ExpectedErrorsToDetect(2.0, 0.5, 0.0));
    }

    [Fact]
    public void ExpectedErrorsToDetect_TableInTheDocs_MatchesTheCode()
    {
        // The table in docs/health-statistics.md is printed by this test; update both together.
        double[] thetas = [1.25, 1.5, 1.75, 2.0, 3.0];
        double[] shares = [0.10, 0.25, 0.35, 0.50];
        int[,] documented =
        {
            { 2538, 1278, 1086, 1034 },
            { 700, 368, 322, 318 },
            { 365, 198, 177, 180 },
            { 208, 118, 108, 113 },
            { 69, 44, 43, 49 },
        };
        output.WriteLine("| θ | " + string.Join(" | ", shares.Select(s => $"share {s * 100:0}%")) + " |");
        output.WriteLine("|---|" + string.Concat(shares.Select(_ => "---:|")));
        var computed = new int[thetas.Length, shares.Length];
        for (var i = 0; i < thetas.Length; i++)
        {
            for (var j = 0; j < shares.Length; j++)
            {
                computed[i, j] = (int)Math.Round(ErrorRateComparison.ExpectedErrorsToDetect(thetas[i], shares[j], Alpha));
            }

            output.WriteLine($"| {thetas[i]} | " + string.Join(" | ", Enumerable.Range(0, shares.Length).Select(j => computed[i, j])) + " |");
        }

        Assert.Equal(documented, computed);
    }

    private static NullRuns SimulateEqualRates(int streams)
    {
        var sequentialAlarms = 0;
        var naiveAlarms = 0;
        for (var stream = 0; stream < streams; stream++)
        {
            var rng = new Random(10_000 + stream);
            var comparison = new ErrorRateComparison();
            long unifiedRequests = 0, unifiedErrors = 0, legacyRequests = 0, legacyErrors = 0;
            var naiveAlarm = false;
            for (var look = 0; look < Looks && !(comparison.Worse && naiveAlarm); look++)
            {
                var minute = Minute(rng, ShareAt(look), LegacyErrorRate, LegacyErrorRate);
                comparison.Add(minute);
                unifiedRequests += minute.UnifiedRequests;
                unifiedErrors += minute.UnifiedErrors;
                legacyRequests += minute.LegacyRequests;
                legacyErrors += minute.LegacyErrors;
                naiveAlarm |= PooledZ(unifiedRequests, unifiedErrors, legacyRequests, legacyErrors) >= NaiveCriticalZ;
            }

            sequentialAlarms += comparison.Worse ? 1 : 0;
            naiveAlarms += naiveAlarm ? 1 : 0;
        }

        return new NullRuns(streams, sequentialAlarms, naiveAlarms);
    }

    /// <summary>The textbook two-proportion z statistic on the running totals, as a fixed-sample test would use it.</summary>
    private static double PooledZ(long unifiedRequests, long unifiedErrors, long legacyRequests, long legacyErrors)
    {
        var pooled = (double)(unifiedErrors + legacyErrors) / (unifiedRequests + legacyRequests);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / unifiedRequests + 1.0 / legacyRequests));
        return se > 0 ? ((double)unifiedErrors / unifiedRequests - (double)legacyErrors / legacyRequests) / se : 0;
    }

    /// <summary>The rollout's steps over the 1,000 minutes: 10%, then 35%, then 50%.</summary>
    private static double ShareAt(int look) => look < 333 ? 0.10 : look < 666 ? 0.35 : 0.50;

    /// <summary>One minute of about 2,000 requests split at <paramref name="share"/>, errors drawn per side.</summary>
    private static ComparisonInterval Minute(Random rng, double share, double unifiedRate, double legacyRate)
    {
        var total = 1_800 + rng.Next(401);
        var unified = (long)Math.Round(total * share);
        var legacy = total - unified;
        return new ComparisonInterval(unified, Binomial(rng, unified, unifiedRate), legacy, Binomial(rng, legacy, legacyRate));
    }

    /// <summary>
    /// An exact binomial draw, by walking the distribution function up from 0. It takes about mean + 1
    /// steps, about 10 here, so it is as fast as an approximation would be; a normal approximation would
    /// misplace the tail that false alarms come from, and a Poisson one would change the model under test.
    /// </summary>
    private static long Binomial(Random rng, long n, double p)
    {
        if (n == 0 || p == 0)
        {
            return 0;
        }

        if (n * p > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "This sampler is for small means: (1 − p)^n underflows for large ones.");
        }

        var u = rng.NextDouble();
        var odds = p / (1 - p);
        var probability = Math.Exp(n * Math.Log(1 - p));
        var cumulative = probability;
        long k = 0;
        while (u > cumulative && k < n)
        {
            probability *= (n - k) / (double)(k + 1) * odds;
            k++;
            cumulative += probability;
        }

        return k;
    }

    private static double Median(List<long> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    private sealed record NullRuns(int Streams, int SequentialAlarms, int NaiveAlarms);
}
