namespace Cutover.Store;

/// <summary>Which dead letters to list (each filter applies when set), newest first, at most <see cref="Limit"/>.</summary>
public sealed record DeadLetterQuery(int Limit = 100, DateTimeOffset? Since = null, string? Domain = null, string? Upstream = null, string? Reason = null);
