namespace Cutover.Server.Contracts;

/// <summary>Legacy's figures for one domain in a baseline; field names as in stats.</summary>
public sealed record BaselineDomainView(string Domain, long RequestCount, double? AvgResponseMs, double? P95Ms, double ErrorRatePct);
