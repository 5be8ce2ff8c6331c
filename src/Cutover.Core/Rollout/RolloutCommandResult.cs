namespace Cutover.Core.Rollout;

/// <summary>An operator command's outcome: the next state, or why it was refused.</summary>
public sealed record RolloutCommandResult(RolloutState? Next, string? Error)
{
    public bool Succeeded => Next is not null;

    public static RolloutCommandResult To(RolloutState next) => new(next, null);

    public static RolloutCommandResult Refused(string error) => new(null, error);
}
