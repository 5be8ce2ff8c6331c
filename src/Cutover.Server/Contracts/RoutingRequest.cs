using System.Text.Json;

namespace Cutover.Server.Contracts;

/// <summary>
/// <c>PUT /admin/routing</c>. <c>percent</c>: a number sets it (globally, or for <c>domain</c>); null with
/// a domain makes the domain follow the global percentage again. <c>routable</c> (with a domain) adds it
/// to or takes it out of the routable set. <c>reason</c> is required.
/// </summary>
public sealed record RoutingRequest(JsonElement Percent, string? Domain, bool? Routable, string? Reason);
