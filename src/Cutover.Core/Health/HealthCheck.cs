namespace Cutover.Core.Health;

/// <summary>
/// One check: its verdict, the measured value and the threshold it was held against (null where a check has
/// no single number), and a sentence an operator can act on.
/// </summary>
public sealed record HealthCheck(string Name, HealthState State, double? Value, double? Threshold, string Message);
