namespace Cutover.Core.Rollout;

/// <summary>The steps, how they advance, and what a critical check does. The default is the runbooks' week-6 plan.</summary>
public sealed record RolloutPlan(IReadOnlyList<RolloutStep> Steps, RolloutMode Mode, CriticalAction OnCritical)
{
    public const long DefaultMinRequests = 500;

    public static IReadOnlyList<RolloutStep> DefaultSteps { get; } =
    [
        new(10, TimeSpan.FromHours(4), DefaultMinRequests),
        new(25, TimeSpan.FromHours(4), DefaultMinRequests),
        new(35, TimeSpan.FromHours(6), DefaultMinRequests),
        new(50, TimeSpan.FromHours(24), DefaultMinRequests),
        new(75, TimeSpan.FromHours(48), DefaultMinRequests),
        new(100, TimeSpan.FromHours(48), DefaultMinRequests),
    ];

    /// <summary>The percent a critical check sends step <paramref name="step"/> back to.</summary>
    public decimal RollbackPercent(int step) =>
        OnCritical == CriticalAction.Zero || step <= 0 ? 0 : Steps[step - 1].Percent;
}
