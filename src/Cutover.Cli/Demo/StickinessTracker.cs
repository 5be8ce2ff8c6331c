using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;

namespace Cutover.Cli.Demo;

/// <summary>
/// Checks the promise that raising the percent only ever moves users from legacy to unified: a user seen on unified
/// must not be seen on legacy again, except after a rollback, which sends everyone back on purpose. Users are the
/// (hashed) keys of the decision log, in the routable domains only. A status that follows its conversation (rule
/// <c>conversation</c>) goes where the person's last message went, not by the bucket, so it is no evidence either way.
/// </summary>
internal sealed class StickinessTracker(Func<string, bool> isRoutable)
{
    private readonly HashSet<string> _unified = new(StringComparer.Ordinal);
    private readonly HashSet<string> _everUnified = new(StringComparer.Ordinal);
    private readonly HashSet<string> _movedBack = new(StringComparer.Ordinal);

    /// <summary>Users seen on unified at some point.</summary>
    public int EverUnified => _everUnified.Count;

    /// <summary>Users seen on legacy after unified with no rollback in between: should be none.</summary>
    public int MovedBack => _movedBack.Count;

    /// <summary>Users a rollback sent back to legacy (those seen on unified before it).</summary>
    public int MovedBackByRollback { get; private set; }

    /// <summary>One look's decisions, all made at one percent.</summary>
    public void Observe(IEnumerable<DecisionRecord> decisions)
    {
        // The log reads newest first; the promise is about the order things happened in.
        foreach (var d in decisions.OrderBy(static d => d.At))
        {
            if (d.UserKey is not { } user || d.Rule is ClassificationRule.Fallback or ClassificationRule.Conversation || !isRoutable(d.Domain))
            {
                continue;
            }

            if (d.Route == Route.Unified)
            {
                _unified.Add(user);
                _everUnified.Add(user);
            }
            else if (_unified.Contains(user))
            {
                _movedBack.Add(user);
            }
        }
    }

    public void RolledBack()
    {
        MovedBackByRollback += _unified.Count;
        _unified.Clear();
    }
}
