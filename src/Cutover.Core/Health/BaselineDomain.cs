namespace Cutover.Core.Health;

/// <summary>Legacy's figures for one domain (or all, domain <c>*</c>) over the baseline's window.</summary>
public sealed record BaselineDomain(string Domain, long Requests, double? AvgResponseMs, double? P95Ms, double ErrorRatePct);
