namespace Cutover.Core.Rollout;

/// <summary>What the guard on unified does at one look (see <see cref="UnifiedGuard"/>).</summary>
public enum GuardAction
{
    /// <summary>Nothing: no traffic reaches unified, health is not critical, or this critical episode was already told.</summary>
    None = 0,

    /// <summary>Tell the operators and record it; routing stays (<c>Rollout:GuardAfterComplete</c> off, or nothing left to lower).</summary>
    Notify = 1,

    /// <summary>Roll back as the plan says, recorded like every rollback.</summary>
    RollBack = 2,
}
