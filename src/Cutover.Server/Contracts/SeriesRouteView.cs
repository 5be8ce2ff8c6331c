namespace Cutover.Server.Contracts;

/// <summary>One route in one minute: requests, errors, the error rate in percent, p95 in ms (null without requests).</summary>
public sealed record SeriesRouteView(long Requests, long Errors, double ErrorRatePct, double? P95Ms);
