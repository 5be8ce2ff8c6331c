namespace Cutover.Store;

/// <summary>Which decisions to read: the newest <see cref="Limit"/> in [Since, Until), optionally of one (protected) user key.</summary>
public sealed record DecisionQuery(int Limit = 100, DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? UserKey = null);
