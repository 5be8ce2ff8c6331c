namespace Cutover.Server.Configuration;

/// <summary>One entry of <c>Rollout:Steps</c>.</summary>
public sealed class RolloutStepOptions
{
    public decimal Percent { get; set; }

    /// <summary>How long the step is watched before it may advance, e.g. <c>04:00:00</c>.</summary>
    public TimeSpan Soak { get; set; }

    /// <summary>Unified requests the step must see before it may advance. Default 500.</summary>
    public long MinRequests { get; set; } = Core.Rollout.RolloutPlan.DefaultMinRequests;
}
