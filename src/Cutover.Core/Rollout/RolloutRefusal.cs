namespace Cutover.Core.Rollout;

/// <summary>Why a rollout command was refused: the case, and the sentence the operator reads.</summary>
public sealed record RolloutRefusal(RolloutRefusalCode Code, string Message)
{
    /// <summary>
    /// The admin API's <c>error</c> code. Every case but a critical check and an unknown gate answers
    /// <c>rollout_refused</c>, as before the cases had names, so scripts that test for it keep working;
    /// <c>critical_health</c> is new, because an operator's answer to it differs (fix unified, or <c>--force</c>), and
    /// <c>unknown_gate</c> is a mistake in the request (the admin API answers it 400).
    /// </summary>
    public string Error => Code switch
    {
        RolloutRefusalCode.CriticalHealth or RolloutRefusalCode.CriticalNotAcceptable => "critical_health",
        RolloutRefusalCode.UnknownGate => "unknown_gate",
        _ => "rollout_refused",
    };
}
