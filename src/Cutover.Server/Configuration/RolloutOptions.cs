using Cutover.Core.Rollout;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary><c>Rollout:*</c>: the plan the controller walks, and how.</summary>
public sealed class RolloutOptions
{
    /// <summary><c>manual</c> (default: after a green soak, wait for <c>promote</c>) or <c>auto</c>.</summary>
    public RolloutMode Mode { get; set; } = RolloutMode.Manual;

    /// <summary>
    /// The steps; empty means the runbooks' plan: 10% 4 h, 25% 4 h, 35% 6 h, 50% 24 h, 75% 48 h, 100% 48 h. Each
    /// step's percent above the one before: the rules.
    /// </summary>
    [ValidateEnumeratedItems]
    public List<RolloutStepOptions> Steps { get; set; } = [];

    /// <summary>How often the controller looks at health. Default 30 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EvaluationInterval { get; set; } = CutoverDefaults.RolloutEvaluationInterval;

    /// <summary>
    /// How often the leader's fast look runs between full ones: it reads the decisions since the last change (from its
    /// exact time) and acts only on a critical verdict, so a fault rolls back seconds after it starts. Default 2 s; one
    /// longer than <see cref="EvaluationInterval"/> is cut to it (a configuration that looks every second stays valid).
    /// </summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FastCheckInterval { get; set; } = CutoverDefaults.RolloutFastCheckInterval;

    /// <summary><c>zero</c> (default: every user back to legacy) or <c>step_back</c> (the previous step's percent).</summary>
    public CriticalAction OnCritical { get; set; } = CriticalAction.Zero;

    /// <summary>
    /// Whether the guard on unified rolls back when health turns critical while no rollout runs but users are on
    /// unified (after <c>complete</c>, after a manual <c>set</c>, by overrides). Default true: roll back as
    /// <see cref="OnCritical"/> says and notify. False: notify and record only, once per critical episode.
    /// </summary>
    public bool GuardAfterComplete { get; set; } = CutoverDefaults.RolloutGuardAfterComplete;
}
