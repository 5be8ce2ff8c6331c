namespace Cutover.Core.Rollout;

/// <summary>Where a rollout is. Names in JSON are the snake_case of these (see <see cref="RolloutStatusNames"/>).</summary>
public enum RolloutStatus
{
    /// <summary>No rollout running (never started, or aborted).</summary>
    Idle = 0,

    /// <summary>At a step, its soak not over yet.</summary>
    Soaking = 1,

    /// <summary>Manual mode: the soak is over and every gate is green; <c>promote</c> advances.</summary>
    AwaitingPromotion = 2,

    /// <summary>The soak is over but a gate is not green (warn, insufficient data, too few requests), or paused.</summary>
    Holding = 3,

    /// <summary>Rolled back; nothing happens until <c>resume</c>.</summary>
    Halted = 4,

    /// <summary>The last step's soak passed.</summary>
    Complete = 5,
}
