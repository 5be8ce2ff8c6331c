namespace Cutover.Core.Rollout;

/// <summary>What one evaluation decided. Everything but <see cref="None"/> changes the stored state once.</summary>
public enum RolloutDecisionKind
{
    None = 0,
    Hold = 1,
    AwaitPromotion = 2,
    Advance = 3,
    Complete = 4,
    Rollback = 5,
    ResumeSoak = 6,
}
