namespace Cutover.Store;

/// <summary>Which audit events to read: the newest <see cref="Limit"/>, optionally since a time and of one kind.</summary>
public sealed record HistoryQuery(int Limit = 100, DateTimeOffset? Since = null, string? Kind = null);
