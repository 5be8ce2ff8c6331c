namespace Cutover.Server.Contracts;

/// <summary>One check in <c>/admin/health</c>: <c>state</c> is <c>ok</c>, <c>warn</c>, <c>critical</c> or <c>insufficient_data</c>.</summary>
public sealed record HealthCheckView(string Name, string State, double? Value, double? Threshold, string Message);
