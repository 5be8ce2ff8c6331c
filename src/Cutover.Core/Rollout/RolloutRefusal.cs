namespace Cutover.Core.Rollout;

/// <summary>Why a rollout command was refused: the case, and the sentence the operator reads.</summary>
public sealed record RolloutRefusal(RolloutRefusalCode Code, string Message)
{
    /// <summary>
    /// The admin API's <c>error</c> code. Every case but a critical check answers <c>rollout_refused</c>, as before
    /// the cases had names, so scripts that test for it keep working; <c>critical_health</c> is new, because an
    /// operator's answer to it differs (fix unified, or <c>--force</c>).
    /// </summary>
    public string Error => Code == RolloutRefusalCode.CriticalHealth ? "critical_health" : "rollout_refused";
}
