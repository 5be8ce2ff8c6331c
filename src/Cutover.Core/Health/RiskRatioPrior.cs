namespace Cutover.Core.Health;

/// <summary>
/// The alternatives the error-rate comparison looks for: a discrete mixture over the risk ratio
/// θ = unified error rate ÷ legacy error rate, every point above 1 (the test is one-sided: a better
/// unified handler is never "worse"). Weights are normalised to sum to 1, which keeps the mixture a
/// test martingale under equal error rates.
/// </summary>
/// <remarks>
/// <see cref="Default"/> puts equal weight on θ ∈ {1.25, 1.5, 2, 3, 5, 10}, see docs/health-statistics.md:
/// neighbouring points are at most 2× apart, so a true ratio anywhere from about 1.2 upwards is close to
/// one of them; the six points cost ln 6 ≈ 1.8 nats of evidence against the 4.6 that alpha 0.01 asks
/// for (about 39% more errors than a test told the true ratio in advance); 1.25 is the smallest
/// regression worth a statistical verdict (smaller ones take thousands of errors, and the absolute
/// error-rate thresholds still guard them); 10 makes a handler that fails outright show in a handful of errors.
/// </remarks>
public sealed class RiskRatioPrior
{
    private readonly double[] _ratios;
    private readonly double[] _weights;
    private readonly double[] _logRatios;
    private readonly double[] _logWeights;

    public RiskRatioPrior(ReadOnlySpan<double> ratios, ReadOnlySpan<double> weights)
    {
        if (ratios.IsEmpty)
        {
            throw new ArgumentException("A prior needs at least one risk ratio.", nameof(ratios));
        }

        if (ratios.Length != weights.Length)
        {
            throw new ArgumentException($"{ratios.Length} risk ratios but {weights.Length} weights.", nameof(weights));
        }

        var sum = 0.0;
        foreach (var ratio in ratios)
        {
            // Only ratios above 1: a point at or below 1 would spend weight on "unified is no worse".
            if (!double.IsFinite(ratio) || ratio <= 1.0)
            {
                throw new ArgumentOutOfRangeException(nameof(ratios), ratio, "Every risk ratio must be a finite number above 1.");
            }
        }

        foreach (var weight in weights)
        {
            if (!double.IsFinite(weight) || weight <= 0.0)
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weight, "Every weight must be a finite number above 0.");
            }

            sum += weight;
        }

        _ratios = ratios.ToArray();
        _weights = new double[weights.Length];
        _logRatios = new double[ratios.Length];
        _logWeights = new double[weights.Length];
        for (var k = 0; k < _ratios.Length; k++)
        {
            _weights[k] = weights[k] / sum;
            _logRatios[k] = Math.Log(_ratios[k]);
            _logWeights[k] = Math.Log(_weights[k]);
        }
    }

    /// <summary>Equal weights on θ ∈ {1.25, 1.5, 2, 3, 5, 10}.</summary>
    public static RiskRatioPrior Default { get; } = Uniform(1.25, 1.5, 2.0, 3.0, 5.0, 10.0);

    public IReadOnlyList<double> Ratios => _ratios;

    /// <summary>The weights as normalised, summing to 1.</summary>
    public IReadOnlyList<double> Weights => _weights;

    public int Count => _ratios.Length;

    internal ReadOnlySpan<double> LogRatios => _logRatios;

    internal ReadOnlySpan<double> LogWeights => _logWeights;

    /// <summary>Equal weight on each ratio.</summary>
    public static RiskRatioPrior Uniform(params ReadOnlySpan<double> ratios)
    {
        Span<double> weights = ratios.Length <= 64 ? stackalloc double[ratios.Length] : new double[ratios.Length];
        weights.Fill(1.0);
        return new RiskRatioPrior(ratios, weights);
    }
}
