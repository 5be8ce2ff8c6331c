using Cutover.Core.Errors;

namespace Cutover.Core.Rollout;

/// <summary>Why a rollout command was refused: the case, and the sentence the operator reads.</summary>
public sealed record RolloutRefusal(RolloutRefusalCode Code, string Message)
{
    /// <summary>The admin API's error for it (<see cref="AdminErrors.Of(RolloutRefusalCode)"/>).</summary>
    public AdminError Error => AdminErrors.Of(Code);
}
