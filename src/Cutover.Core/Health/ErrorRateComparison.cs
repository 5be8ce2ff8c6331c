namespace Cutover.Core.Health;

/// <summary>
/// Is the unified handler's error rate worse than legacy's? An always-valid sequential test: read it
/// after every interval, for as long as you like, and the chance that it ever says "worse" when the two
/// error rates are equal stays at most alpha. Add intervals one at a time with <see cref="Add"/>, or
/// judge a whole sequence with <see cref="Evaluate"/>.
/// </summary>
/// <remarks>
/// <para>
/// Users are split between the handlers by hash bucket, so within one interval, if both handlers fail a
/// request equally often, each error lands on unified with probability s = Nu / (Nu + Nl), the interval's
/// unified share. If unified fails θ times as often, that probability is p_θ = θs / (θs + 1 − s). The
/// likelihood ratio of "ratio θ" against "equal" for an interval with eu unified and el legacy errors is
/// (p_θ/s)^eu · ((1 − p_θ)/(1 − s))^el, whose log is eu·ln θ − (eu + el)·ln(θs + 1 − s).
/// </para>
/// <para>
/// Λ is the product of those ratios over intervals, mixed over the prior: Σ w_k · LR_θk. Under equal
/// error rates each factor has expectation 1 given the past and the interval's counts, so Λ is a
/// nonnegative martingale starting at 1. (If each request fails independently, the split given the
/// minute's total is hypergeometric, which Hoeffding showed is less spread than the binomial: the
/// expectation is then at most 1 and Λ a supermartingale, which is just as good.)
/// Ville's inequality then gives P(Λ ever ≥ 1/alpha) ≤ alpha. docs/health-statistics.md has the details
/// and what the guarantee assumes.
/// </para>
/// <para>
/// Evidence accumulates in both directions: a long healthy stretch drives Λ far below 1, and a regression
/// that starts afterwards must climb back first. Start a new comparison when the rollout changes step.
/// Not thread-safe: one owner adds intervals.
/// </para>
/// </remarks>
public sealed class ErrorRateComparison
{
    private static readonly double LogDisplayCap = Math.Log(ErrorComparisonResult.DisplayCap);

    private readonly ErrorComparisonOptions _options;
    private readonly double[] _logRatios;
    private readonly double _logThreshold;
    private double _logLambda;
    private long _intervals;
    private long _informativeIntervals;
    private long _unifiedRequests;
    private long _unifiedErrors;
    private long _legacyRequests;
    private long _legacyErrors;
    private long _errorsCompared;
    private double _stratifiedNumerator;
    private double _stratifiedDenominator;
    private long? _worseAtInterval;

    public ErrorRateComparison(ErrorComparisonOptions? options = null)
    {
        _options = options ?? ErrorComparisonOptions.Default;
        _logRatios = new double[_options.Prior.Count];
        _logThreshold = -Math.Log(_options.Alpha);
    }

    public ErrorComparisonOptions Options => _options;

    /// <summary>ln Λ now; 0 (Λ = 1) until an informative interval arrives.</summary>
    public double LogLikelihoodRatio => _logLambda;

    /// <summary>Λ has reached 1 / alpha at some interval so far; once true it stays true.</summary>
    public bool Worse => _worseAtInterval.HasValue;

    /// <summary>Errors in informative intervals so far: the events the statistic has weighed.</summary>
    public long ErrorsCompared => _errorsCompared;

    /// <summary>Judges a whole sequence of intervals, in order.</summary>
    public static ErrorComparisonResult Evaluate(IEnumerable<ComparisonInterval> intervals, ErrorComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        var comparison = new ErrorRateComparison(options);
        foreach (var interval in intervals)
        {
            comparison.Add(interval);
        }

        return comparison.Result();
    }

    /// <summary>
    /// Absorbs the next interval. Totals are kept with checked arithmetic: more than 2^63 requests in all
    /// throws <see cref="OverflowException"/> instead of wrapping.
    /// </summary>
    public void Add(ComparisonInterval interval)
    {
        _intervals++;
        _unifiedRequests = checked(_unifiedRequests + interval.UnifiedRequests);
        _unifiedErrors = checked(_unifiedErrors + interval.UnifiedErrors);
        _legacyRequests = checked(_legacyRequests + interval.LegacyRequests);
        _legacyErrors = checked(_legacyErrors + interval.LegacyErrors);
        if (!interval.IsInformative)
        {
            return;
        }

        _informativeIntervals++;
        var errors = checked(interval.UnifiedErrors + interval.LegacyErrors);
        _errorsCompared = checked(_errorsCompared + errors);
        if (errors == 0)
        {
            // Every factor is exactly 1: nothing to update, and the evidence must stay bit-for-bit the same.
            return;
        }

        // In doubles: the sum of two huge counts may not fit a long, and a share needs no more precision.
        double unifiedRequests = interval.UnifiedRequests;
        double legacyRequests = interval.LegacyRequests;
        double total = unifiedRequests + legacyRequests;
        var share = unifiedRequests / total;
        double unifiedErrors = interval.UnifiedErrors;
        double allErrors = errors;
        _stratifiedNumerator += interval.UnifiedErrors * (legacyRequests / total);
        _stratifiedDenominator += interval.LegacyErrors * (unifiedRequests / total);

        var logRatios = _options.Prior.LogRatios;
        var ratios = _options.Prior.Ratios;
        for (var k = 0; k < _logRatios.Length; k++)
        {
            // ln(θs + 1 − s) = ln(1 + (θ − 1)s), which LogOnePlus keeps accurate when s is tiny.
            _logRatios[k] += unifiedErrors * logRatios[k] - allErrors * LogOnePlus((ratios[k] - 1.0) * share);
        }

        _logLambda = LogMixture(_options.Prior.LogWeights, _logRatios);
        if (_worseAtInterval is null && _logLambda >= _logThreshold)
        {
            _worseAtInterval = _intervals;
        }
    }

    /// <summary>A snapshot of the comparison now.</summary>
    public ErrorComparisonResult Result()
    {
        double? unifiedRate = _unifiedRequests > 0 ? (double)_unifiedErrors / _unifiedRequests : null;
        double? legacyRate = _legacyRequests > 0 ? (double)_legacyErrors / _legacyRequests : null;
        return new ErrorComparisonResult
        {
            LogLikelihoodRatio = _logLambda,
            LikelihoodRatio = _logLambda >= LogDisplayCap ? ErrorComparisonResult.DisplayCap : Math.Exp(_logLambda),
            Threshold = _options.Threshold,
            Worse = Worse,
            WorseAtInterval = _worseAtInterval,
            Intervals = _intervals,
            InformativeIntervals = _informativeIntervals,
            UnifiedRequests = _unifiedRequests,
            UnifiedErrors = _unifiedErrors,
            LegacyRequests = _legacyRequests,
            LegacyErrors = _legacyErrors,
            ErrorsCompared = _errorsCompared,
            UnifiedErrorRate = unifiedRate,
            LegacyErrorRate = legacyRate,
            ObservedRatio = unifiedRate is { } u && legacyRate is > 0.0 ? u / legacyRate.Value : null,
            StratifiedRatio = _stratifiedDenominator > 0.0 ? _stratifiedNumerator / _stratifiedDenominator : null,
        };
    }

    /// <summary>
    /// About how many error events (both sides together, in informative intervals) the comparison needs
    /// before it says "worse" when unified's error rate really is <paramref name="theta"/> times legacy's
    /// at a constant unified <paramref name="share"/>. Infinity when it never will (θ ≤ 1, a share of 0
    /// or 1, or a θ so close to 1 that no prior point gains evidence).
    /// </summary>
    /// <remarks>
    /// Wald's approximation, one prior point at a time: an error adds on average
    /// d_k = p·ln θ_k − ln(θ_k·s + 1 − s) to ln LR_θk, where p = θs / (θs + 1 − s) is the chance that an
    /// error is unified's; Λ ≥ w_k·LR_θk, so the threshold is crossed after about
    /// (ln(1/alpha) − ln w_k) / d_k errors. The answer is the smallest of those over points with d_k &gt; 0.
    /// When θ is itself a prior point and the weights are equal, the best point is θ's own, and d_k is
    /// KL(p ‖ s), the Kullback–Leibler divergence between the two Bernoulli laws. It ignores the other
    /// points' help (earlier) and the overshoot of the last interval (later), and it is a mean, not a
    /// bound: single runs scatter around it.
    /// </remarks>
    public static double ExpectedErrorsToDetect(double theta, double share, double alpha, RiskRatioPrior? prior = null)
    {
        if (!(theta is > 0.0 && double.IsFinite(theta)))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "The risk ratio must be a finite number above 0.");
        }

        if (!(share is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The share must be between 0 and 1.");
        }

        if (!(alpha is > 0.0 and < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be above 0 and below 1.");
        }

        prior ??= RiskRatioPrior.Default;
        if (theta <= 1.0 || share is 0.0 or 1.0)
        {
            return double.PositiveInfinity;
        }

        var unifiedChance = theta * share / (theta * share + 1.0 - share);
        var logThreshold = -Math.Log(alpha);
        var best = double.PositiveInfinity;
        for (var k = 0; k < prior.Count; k++)
        {
            var drift = unifiedChance * prior.LogRatios[k] - LogOnePlus((prior.Ratios[k] - 1.0) * share);
            if (drift > 0.0)
            {
                best = Math.Min(best, (logThreshold - prior.LogWeights[k]) / drift);
            }
        }

        return best;
    }

    /// <summary>ln Σ e^(a_k + b_k) without overflow: shift by the largest term (log-sum-exp).</summary>
    private static double LogMixture(ReadOnlySpan<double> logWeights, ReadOnlySpan<double> logRatios)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < logRatios.Length; k++)
        {
            max = Math.Max(max, logWeights[k] + logRatios[k]);
        }

        var sum = 0.0;
        for (var k = 0; k < logRatios.Length; k++)
        {
            sum += Math.Exp(logWeights[k] + logRatios[k] - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>
    /// ln(1 + x) for x ≥ 0, accurate for tiny x where 1 + x rounds (Goldberg's trick): the rounding error
    /// of u = 1 + x cancels in ln(u)·x/(u − 1). Math.Log(1 + x) would lose every digit below 1e-16.
    /// </summary>
    private static double LogOnePlus(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
