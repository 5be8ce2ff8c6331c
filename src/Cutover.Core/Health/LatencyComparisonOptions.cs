namespace Cutover.Core.Health;

/// <summary>
/// The latency rule's knobs: unified passes while its p95 ≤ legacy p95 × <see cref="Ratio"/> +
/// <see cref="SlackMs"/>, judged only once both sides have <see cref="MinRequestsPerSide"/> requests.
/// </summary>
public sealed record LatencyComparisonOptions
{
    public static LatencyComparisonOptions Default { get; } = new();

    /// <summary>Requests each side needs before its p95 is judged; 200 by default, at least 1.</summary>
    public long MinRequestsPerSide
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MinRequestsPerSide));
            field = value;
        }
    } = HealthDefaults.LatencyMinRequests;

    /// <summary>How many times legacy's p95 unified may take; 1.25 by default, at least 1.</summary>
    public double Ratio
    {
        get;
        init
        {
            if (!(value >= 1.0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(Ratio), value, "The ratio must be a finite number of at least 1.");
            }

            field = value;
        }
    } = HealthDefaults.LatencyRatio;

    /// <summary>Milliseconds unified may take on top of the ratio; 50 by default, at least 0.</summary>
    public double SlackMs
    {
        get;
        init
        {
            if (!(value >= 0.0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(SlackMs), value, "The slack must be a finite number of milliseconds, at least 0.");
            }

            field = value;
        }
    } = HealthDefaults.LatencySlackMs;
}
