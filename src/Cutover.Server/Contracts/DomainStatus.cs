namespace Cutover.Server.Contracts;

/// <summary>
/// One domain in the status. <see cref="Percent"/> is the share of its users that goes to unified when
/// routing is enabled (0 for a protected or non-routable domain); <see cref="OwnPercent"/> is its own
/// setting, null when it follows the global percentage.
/// </summary>
public sealed record DomainStatus(decimal Percent, decimal? OwnPercent, bool Routable, bool Protected, string Upstream);
