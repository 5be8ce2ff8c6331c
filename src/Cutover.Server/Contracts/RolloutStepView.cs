namespace Cutover.Server.Contracts;

/// <summary>One step of the plan: its number (from 1), percent, soak (<c>04:00:00</c>) and minimum unified requests.</summary>
public sealed record RolloutStepView(int Step, decimal Percent, string Soak, long MinRequests);
