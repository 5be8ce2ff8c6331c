namespace Cutover.Core.Rollout;

/// <summary>The names of <see cref="RolloutStatus"/> in JSON, the CLI and the store.</summary>
public static class RolloutStatusNames
{
    public static string ToName(this RolloutStatus status) => status switch
    {
        RolloutStatus.Idle => "idle",
        RolloutStatus.Soaking => "soaking",
        RolloutStatus.AwaitingPromotion => "awaiting_promotion",
        RolloutStatus.Holding => "holding",
        RolloutStatus.Halted => "halted",
        _ => "complete",
    };

    public static bool TryParse(string? name, out RolloutStatus status)
    {
        foreach (var candidate in Enum.GetValues<RolloutStatus>())
        {
            if (candidate.ToName() == name)
            {
                status = candidate;
                return true;
            }
        }

        status = RolloutStatus.Idle;
        return false;
    }

    /// <summary>A rollout that owns the percent: the controller acts on it and manual percent changes are refused.</summary>
    public static bool IsActive(this RolloutStatus status) =>
        status is RolloutStatus.Soaking or RolloutStatus.AwaitingPromotion or RolloutStatus.Holding;
}
