using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Core.Tests.Support;

namespace Cutover.Core.Tests.Routing;

public sealed class RoutingRulesTests
{
    private static readonly RouterTopology Topology = TestTopology.Create();
    private static readonly RoutingState State = TestTopology.State(10);
    private static readonly ChangeContext Alice = new("alice", "week 6 day 3", new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), static u => "h:" + u);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Apply_WithoutReason_Refused(string? reason)
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(25, null), Topology, Alice with { Reason = reason });

        Assert.Equal(ChangeError.ReasonRequired, outcome.Error);
        Assert.Contains("reason", outcome.Message);
    }

    [Theory]
    [InlineData("ok\r\nforged")]
    [InlineData("\u001b]0;x\u0007")]
    [InlineData("nul\0")]
    public void Apply_ReasonWithControlCharacter_RefusedAsInvalid(string reason)
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(25, null), Topology, Alice with { Reason = reason });

        Assert.Equal(ChangeError.InvalidReason, outcome.Error);
        Assert.Contains("control character", outcome.Message);
        Assert.Null(outcome.Event);
    }

    [Fact]
    public void Apply_ReasonOverTheLimit_RefusedAsInvalid()
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetEnabled(false), Topology, Alice with { Reason = new string('r', 1_001) });

        Assert.Equal(ChangeError.InvalidReason, outcome.Error);
        Assert.Contains("1,000", outcome.Message);
    }

    [Fact]
    public void Apply_SetGlobalPercent_NewVersionAndAuditBeforeAfter()
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(25, null), Topology, Alice);

        Assert.True(outcome.Changed);
        Assert.Equal(25m, outcome.Next!.Percent);
        Assert.Equal(State.Version + 1, outcome.Next.Version);
        Assert.Equal(Alice.Now, outcome.Next.UpdatedAt);
        var audit = outcome.Event!;
        Assert.Equal((AuditKinds.Percent, "alice", "week 6 day 3"), (audit.Kind, audit.Actor, audit.Reason));
        Assert.Equal(10m, JsonDocument.Parse(audit.Before!).RootElement.GetProperty("percent").GetDecimal());
        Assert.Equal(25m, JsonDocument.Parse(audit.After!).RootElement.GetProperty("percent").GetDecimal());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.01)]
    [InlineData(12.345)]
    public void Apply_BadPercent_RefusedNamingValue(decimal percent)
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(percent, null), Topology, Alice);

        Assert.Equal(ChangeError.InvalidPercent, outcome.Error);
        Assert.Contains("percent", outcome.Message);
    }

    [Fact]
    public void Apply_SamePercent_UnchangedWithoutEvent()
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(10, null), Topology, Alice);

        Assert.True(outcome.Succeeded);
        Assert.False(outcome.Changed);
        Assert.Same(State, outcome.Next);
    }

    [Theory]
    [InlineData("mobility")]
    [InlineData("profile")]
    [InlineData("insurance")]
    public void Apply_ProtectedDomain_CannotBeMadeRoutableOrGivenPercent(string domain)
    {
        var routable = RoutingRules.Apply(State, new RoutingChange.SetRoutable(domain, true), Topology, Alice);
        var percent = RoutingRules.Apply(State, new RoutingChange.SetPercent(50, domain), Topology, Alice);

        Assert.Equal(ChangeError.ProtectedDomain, routable.Error);
        Assert.Equal(ChangeError.ProtectedDomain, percent.Error);
        Assert.Contains("protected", routable.Message);
    }

    [Fact]
    public void Apply_UnknownDomain_RefusedListingKnownOnes()
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.SetPercent(5, "jbos"), Topology, Alice);

        Assert.Equal(ChangeError.UnknownDomain, outcome.Error);
        Assert.Contains("'jbos'", outcome.Message);
        Assert.Contains("jobs", outcome.Message);
    }

    [Fact]
    public void Apply_DomainPercentThenInherit_RoundTrips()
    {
        var set = RoutingRules.Apply(State, new RoutingChange.SetPercent(35, "jobs"), Topology, Alice);
        var inherit = RoutingRules.Apply(set.Next!, new RoutingChange.InheritPercent("jobs"), Topology, Alice);

        Assert.Equal(35m, set.Next!.PercentFor("jobs"));
        Assert.Equal(10m, set.Next.PercentFor("property"));
        Assert.Equal(10m, inherit.Next!.PercentFor("jobs"));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(inherit.Event!.After!).RootElement.GetProperty("percent").ValueKind);
    }

    [Fact]
    public void Apply_DisableThenEnable_KeepsPercent()
    {
        var off = RoutingRules.Apply(State, new RoutingChange.SetEnabled(false), Topology, Alice);
        var on = RoutingRules.Apply(off.Next!, new RoutingChange.SetEnabled(true), Topology, Alice);

        Assert.Equal((AuditKinds.Disable, false), (off.Event!.Kind, off.Next!.Enabled));
        Assert.Equal((AuditKinds.Enable, true, 10m), (on.Event!.Kind, on.Next!.Enabled, on.Next.Percent));
    }

    [Fact]
    public void Apply_Override_AuditKeepsProtectedUserKey()
    {
        var set = RoutingRules.Apply(State, new RoutingChange.SetOverride("250788000001", Route.Unified, null), Topology, Alice);
        var clear = RoutingRules.Apply(set.Next!, new RoutingChange.ClearOverride("250788000001"), Topology, Alice);

        Assert.Equal(Route.Unified, set.Next!.Overrides["250788000001"].Route);
        Assert.Contains("h:250788000001", set.Event!.After);
        Assert.DoesNotContain("\"250788000001\"", set.Event.After);
        Assert.Empty(clear.Next!.Overrides);
        Assert.Equal(AuditKinds.OverrideClear, clear.Event!.Kind);
    }

    [Fact]
    public void Apply_OverrideWithNothing_Refused()
    {
        Assert.Equal(ChangeError.InvalidOverride,
            RoutingRules.Apply(State, new RoutingChange.SetOverride("u", null, null), Topology, Alice).Error);
        Assert.Equal(ChangeError.InvalidUser,
            RoutingRules.Apply(State, new RoutingChange.SetOverride(" ", Route.Legacy, null), Topology, Alice).Error);
    }

    [Fact]
    public void Apply_ClearMissingOverride_Unchanged()
    {
        var outcome = RoutingRules.Apply(State, new RoutingChange.ClearOverride("nobody"), Topology, Alice);

        Assert.True(outcome.Succeeded);
        Assert.False(outcome.Changed);
    }

    [Fact]
    public void Snapshot_ProtectedDomainInRoutableSet_StillNotRoutable()
    {
        var state = State with { Routable = State.Routable.Add("mobility") };

        var snapshot = RoutingSnapshot.Create(Topology, state);

        Assert.False(snapshot.IsRoutable("mobility"));
        Assert.Equal(1_000, snapshot.ThresholdOf("jobs"));
    }
}
