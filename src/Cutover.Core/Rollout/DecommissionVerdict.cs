namespace Cutover.Core.Rollout;

/// <summary>Whether a domain's legacy handler can be retired, and the sentence that says why or why not yet.</summary>
public sealed record DecommissionVerdict(string Domain, bool Ready, string Reason);
