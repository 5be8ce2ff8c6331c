namespace Cutover.Core.Routing;

/// <summary>Why a routing change was refused. All are the caller's doing.</summary>
public enum ChangeError
{
    None = 0,
    ReasonRequired = 1,
    InvalidPercent = 2,
    UnknownDomain = 3,
    ProtectedDomain = 4,
    InvalidUser = 5,
    InvalidOverride = 6,

    /// <summary>The reason is too long or has a control character (<see cref="ReasonText"/>).</summary>
    InvalidReason = 7,
}
