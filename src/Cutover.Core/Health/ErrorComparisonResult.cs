namespace Cutover.Core.Health;

/// <summary>
/// Where the error-rate comparison stands after the intervals seen so far: the evidence, the verdict and
/// the descriptive figures to show beside it. Rates and ratios are <c>null</c> where they are undefined
/// (no requests on a side, or no legacy errors to divide by), never NaN or infinity.
/// </summary>
public sealed record ErrorComparisonResult
{
    /// <summary>
    /// Λ shown on a dashboard is capped here: far beyond 1 / alpha the size of the number means nothing
    /// more, and e^710 would not fit a double. <see cref="LogLikelihoodRatio"/> is never capped.
    /// </summary>
    public const double DisplayCap = 1e12;

    /// <summary>ln Λ, the log of the mixture likelihood ratio now. 0 before any informative interval.</summary>
    public required double LogLikelihoodRatio { get; init; }

    /// <summary>Λ = e^<see cref="LogLikelihoodRatio"/>, capped at <see cref="DisplayCap"/>; 0 when it underflows.</summary>
    public required double LikelihoodRatio { get; init; }

    /// <summary>1 / alpha.</summary>
    public required double Threshold { get; init; }

    /// <summary>
    /// Λ has reached <see cref="Threshold"/> at some interval so far. It stays true: the guarantee bounds
    /// the chance that Λ ever reaches the threshold, so a later fall of Λ does not undo the verdict.
    /// </summary>
    public required bool Worse { get; init; }

    /// <summary>How many intervals had been added when Λ first reached the threshold; null if it has not.</summary>
    public required long? WorseAtInterval { get; init; }

    /// <summary>Intervals added, informative or not.</summary>
    public required long Intervals { get; init; }

    /// <summary>Intervals with requests on both sides: the only ones the statistic uses.</summary>
    public required long InformativeIntervals { get; init; }

    public required long UnifiedRequests { get; init; }

    public required long UnifiedErrors { get; init; }

    public required long LegacyRequests { get; init; }

    public required long LegacyErrors { get; init; }

    /// <summary>Errors on both sides in informative intervals: the events the statistic has weighed.</summary>
    public required long ErrorsCompared { get; init; }

    /// <summary>All errors added, on both sides, informative intervals or not.</summary>
    public long ErrorsSeen => UnifiedErrors + LegacyErrors;

    /// <summary>Unified errors ÷ unified requests over every interval; null without unified requests.</summary>
    public required double? UnifiedErrorRate { get; init; }

    /// <summary>Legacy errors ÷ legacy requests over every interval; null without legacy requests.</summary>
    public required double? LegacyErrorRate { get; init; }

    /// <summary>
    /// <see cref="UnifiedErrorRate"/> ÷ <see cref="LegacyErrorRate"/>: the crude pooled ratio. It mixes
    /// minutes of different share and different baseline error rate, so it can mislead when both move
    /// during a rollout (Simpson's paradox); prefer <see cref="StratifiedRatio"/>. Null when undefined.
    /// </summary>
    public required double? ObservedRatio { get; init; }

    /// <summary>
    /// The Mantel–Haenszel risk ratio over informative intervals, Σ eu·Nl/N ÷ Σ el·Nu/N: each minute
    /// compares its two sides with each other only, as the statistic does. Null when no legacy error fell
    /// in an informative interval.
    /// </summary>
    public required double? StratifiedRatio { get; init; }
}
