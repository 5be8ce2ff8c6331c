namespace Cutover.Server.Contracts;

/// <summary>Whether a domain's legacy handler can go: 30 days at 100% with no legacy traffic and no rollback.</summary>
public sealed record DecommissionView(string Domain, bool Ready, string Reason);
