using Cutover.Cli.Demo;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Cli.Tests.Demo;

public sealed class StickinessTrackerTests
{
    private static readonly Func<string, bool> Routable = static d => d is "jobs" or "marketplace" or "property";

    [Fact]
    public void UnifiedThenLegacy_WithoutARollback_CountsAUserMovedBack()
    {
        var tracker = new StickinessTracker(Routable);

        tracker.Observe([Decision("u1", "jobs", Route.Unified), Decision("u2", "jobs", Route.Legacy)]);
        tracker.Observe([Decision("u1", "jobs", Route.Legacy), Decision("u2", "jobs", Route.Unified)]);

        Assert.Equal(2, tracker.EverUnified);
        Assert.Equal(1, tracker.MovedBack);
    }

    [Fact]
    public void UnifiedThenLegacy_AfterARollback_IsTheRollbacksDoing()
    {
        var tracker = new StickinessTracker(Routable);

        tracker.Observe([Decision("u1", "jobs", Route.Unified)]);
        tracker.RolledBack();
        tracker.Observe([Decision("u1", "jobs", Route.Legacy)]);

        Assert.Equal(0, tracker.MovedBack);
        Assert.Equal(1, tracker.MovedBackByRollback);
    }

    [Fact]
    public void ProtectedFallbackAndKeylessDecisions_AreNotJudged()
    {
        var tracker = new StickinessTracker(Routable);

        tracker.Observe([Decision("u1", "mobility", Route.Unified), Decision("u2", "default", Route.Unified, ClassificationRule.Fallback), Decision(null, "jobs", Route.Unified)]);

        Assert.Equal(0, tracker.EverUnified);
    }

    private static DecisionRecord Decision(string? user, string domain, Route route, ClassificationRule rule = ClassificationRule.Keyword) =>
        new(DateTimeOffset.UnixEpoch, "c", "m", user, UpdateKind.Message, domain, rule, 1, route, domain, null, true, 200, 1, null, false);
}
