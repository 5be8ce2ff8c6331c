namespace Cutover.Server.Configuration;

/// <summary>One entry of <c>Rollout:Steps</c>.</summary>
public sealed class RolloutStepOptions
{
    /// <summary>Above the step before, at most 100, two decimals at most: the rules, which know the step before.</summary>
    public decimal Percent { get; set; }

    /// <summary>How long the step is watched before it may advance, e.g. <c>04:00:00</c>.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan Soak { get; set; }

    /// <summary>Unified requests the step must see before it may advance. Default 500.</summary>
    [ConfigRange(typeof(long), "0", "1000000000")]
    public long MinRequests { get; set; } = Core.Rollout.RolloutPlan.DefaultMinRequests;
}
