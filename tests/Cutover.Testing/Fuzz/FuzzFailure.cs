namespace Cutover.Testing.Fuzz;

/// <summary>
/// One thing wrong with how Cutover handled one case (<see cref="CaseIndex"/> -1 when no case could be named, such
/// as a request an upstream received that no answer accounts for). <see cref="Class"/> is a stable name to group by.
/// </summary>
public sealed record FuzzFailure(string Class, int CaseIndex, string Detail);
