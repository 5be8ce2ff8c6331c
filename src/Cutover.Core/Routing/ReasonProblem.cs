namespace Cutover.Core.Routing;

/// <summary>Why a reason is refused: missing (<see cref="ChangeError.ReasonRequired"/>) or not acceptable (<see cref="ChangeError.InvalidReason"/>).</summary>
public sealed record ReasonProblem(ChangeError Error, string Message);
