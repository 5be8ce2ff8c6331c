namespace Cutover.Server.Configuration;

/// <summary><c>Rollout:*</c>: the plan the controller walks, and how.</summary>
public sealed class RolloutOptions
{
    /// <summary><c>manual</c> (default: after a green soak, wait for <c>promote</c>) or <c>auto</c>.</summary>
    public string Mode { get; set; } = "manual";

    /// <summary>The steps; empty means the runbooks' plan: 10% 4 h, 25% 4 h, 35% 6 h, 50% 24 h, 75% 48 h, 100% 48 h.</summary>
    public List<RolloutStepOptions> Steps { get; set; } = [];

    /// <summary>How often the controller looks at health. Default 30 s.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>zero</c> (default: every user back to legacy) or <c>step_back</c> (the previous step's percent).</summary>
    public string OnCritical { get; set; } = "zero";
}
