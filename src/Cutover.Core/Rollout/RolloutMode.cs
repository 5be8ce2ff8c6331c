namespace Cutover.Core.Rollout;

/// <summary><c>manual</c>: after a green soak, wait for <c>promote</c>. <c>auto</c>: advance by itself.</summary>
public enum RolloutMode
{
    Manual = 0,
    Auto = 1,
}
