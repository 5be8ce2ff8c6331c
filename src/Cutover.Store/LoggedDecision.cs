using Cutover.Core.DecisionLog;

namespace Cutover.Store;

/// <summary>A decision as the log stores it: its row id (increasing with each write) and the record, keys protected.</summary>
public sealed record LoggedDecision(long Id, DecisionRecord Decision);
