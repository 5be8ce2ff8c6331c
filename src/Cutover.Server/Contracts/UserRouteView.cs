namespace Cutover.Server.Contracts;

/// <summary>The side a person is on in one domain now, with why (as <c>explain</c> says it).</summary>
public sealed record UserRouteView(string Domain, string Route, string Upstream, string Reason);
