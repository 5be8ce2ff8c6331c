using Cutover.Core.Errors;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Errors;

public sealed class AdminErrorsTests
{
    [Fact]
    public void EveryError_HasOneWireNameAndASentence_AndParsesBack()
    {
        // act
        var names = AdminErrors.All.Select(static e => e.WireName()).ToList();

        // assert
        Assert.Equal(Enum.GetValues<AdminError>().Length - 1, AdminErrors.All.Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var error in AdminErrors.All)
        {
            Assert.Matches("^[a-z]+(_[a-z]+)*$", error.WireName());
            Assert.False(string.IsNullOrWhiteSpace(error.Describe()), $"{error} has no sentence");
            Assert.True(AdminErrors.TryParse(error.WireName(), out var parsed));
            Assert.Equal(error, parsed);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("some_newer_error")]
    [InlineData("ROLLOUT_REFUSED")]
    public void TryParse_UnknownName_False(string? name)
    {
        Assert.False(AdminErrors.TryParse(name, out var error));
        Assert.Equal(AdminError.None, error);
    }

    [Fact]
    public void WireNames_AreTheNamesScriptsAlreadyTestFor()
    {
        // The answers' error codes before they were an enum (golden files pin most; these are the rule's own).
        Assert.Equal("reason_required", AdminErrors.Of(ChangeError.ReasonRequired).WireName());
        Assert.Equal("reason_invalid", AdminErrors.Of(ChangeError.InvalidReason).WireName());
        Assert.Equal("invalid_request", AdminErrors.Of(ChangeError.None).WireName());
        Assert.Equal("rollout_active", AdminError.RolloutActive.WireName());
        Assert.Equal("store_unavailable", AdminError.StoreUnavailable.WireName());
    }

    [Fact]
    public void RolloutRefusals_AreRolloutRefusedButACriticalCheckTheOwnedPercentAndAnUnknownGate()
    {
        foreach (var code in Enum.GetValues<RolloutRefusalCode>())
        {
            var expected = code switch
            {
                RolloutRefusalCode.CriticalHealth or RolloutRefusalCode.CriticalNotAcceptable => AdminError.CriticalHealth,
                RolloutRefusalCode.UnknownGate => AdminError.UnknownGate,
                RolloutRefusalCode.OwnsPercent => AdminError.RolloutActive,
                _ => AdminError.RolloutRefused,
            };
            Assert.Equal(expected, AdminErrors.Of(code));
        }
    }

    [Fact]
    public void EveryChangeError_IsAnAdminError()
    {
        foreach (var change in Enum.GetValues<ChangeError>())
        {
            Assert.NotEqual(AdminError.None, AdminErrors.Of(change));
        }
    }
}
