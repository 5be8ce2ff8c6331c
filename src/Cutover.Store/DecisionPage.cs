namespace Cutover.Store;

/// <summary>
/// Decisions oldest first, and the cursor to ask for the ones after them: the last row id this page covers, which is the
/// newest row in the log when the page holds everything that matched (so a follower that saw nothing does not start
/// from the beginning).
/// </summary>
public sealed record DecisionPage(IReadOnlyList<LoggedDecision> Decisions, long Cursor);
