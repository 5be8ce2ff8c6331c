using Cutover.Core.Health;
using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Health;

/// <summary>The <c>split</c> check judges users (a binomial over the users seen), not requests.</summary>
public sealed class SplitCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Split_20Of241UsersAt10Percent_OkAndNamesTheUsers()
    {
        // the soak that held for ever: 6.809% of 984 requests, but 20 of 241 users (8.3%) on unified
        var check = Split(new() { ["property"] = 10 }, new DomainUsers("property", 241, 20));

        Assert.Equal(HealthState.Ok, check.State);
        Assert.Equal(100.0 * 20 / 241, check.Value!.Value, 6);
        Assert.Equal(10, check.Threshold!.Value, 6);
        // three standard errors of Binomial(241, 0.1)/241: 300 × √(0.09 / 241) = 5.8 points
        Assert.Contains("property 8.299% of 241 users on unified (configured 10% ± 5.8 points)", check.Message);
        Assert.StartsWith("8.299% of 241 routable users went to unified, configured 10% ± 5.8 points", check.Message);
    }

    [Fact]
    public void Split_RealSkewAmongAFewHundredUsers_WarnsNamingTheDomain()
    {
        // 45 of 241 is 18.7%, 8.7 points above 10%: beyond 5.8 points (3 standard errors; chance ≈ 1 in 10,000)
        var check = Split(new() { ["property"] = 10, ["jobs"] = 10 }, new DomainUsers("property", 241, 45), new DomainUsers("jobs", 300, 31));

        Assert.Equal(HealthState.Warn, check.State);
        Assert.StartsWith("the split is off in property: ", check.Message);
        Assert.Contains("jobs 10.333% of 300 users on unified", check.Message);
    }

    [Theory]
    [InlineData(1_100, HealthState.Ok)]   // 11%: 3 standard errors are 0.9 points, the 2-point floor holds
    [InlineData(1_250, HealthState.Warn)] // 12.5%: beyond the floor
    public void Split_ManyUsers_TheFloorInPointsApplies(long unified, HealthState expected)
    {
        var check = Split(new() { ["jobs"] = 10 }, new DomainUsers("jobs", 10_000, unified));

        Assert.Equal(expected, check.State);
        Assert.Contains("(configured 10% ± 2 points)", check.Message);
    }

    [Fact]
    public void Split_TooFewUsersForThePercent_InsufficientSayingHowManyMore()
    {
        // at 10% five users are expected on unified from 50 users: 30 are too few to judge
        var check = Split(new() { ["jobs"] = 10 }, new DomainUsers("jobs", 30, 6));

        Assert.Equal(HealthState.InsufficientData, check.State);
        Assert.StartsWith("needs 20 more routable users in the window (30 of 50)", check.Message);
    }

    [Fact]
    public void Split_UsersOfADomainThatIsNotRoutable_NotCounted()
    {
        var check = Split(new() { ["jobs"] = 25 }, new DomainUsers("jobs", 400, 100), new DomainUsers("billing", 500, 0));

        Assert.Equal(HealthState.Ok, check.State);
        Assert.StartsWith("25% of 400 routable users went to unified", check.Message);
        Assert.DoesNotContain("billing", check.Message);
    }

    [Fact]
    public void Split_AtZeroPercentOneUserOnUnified_Warns()
    {
        var ok = Split(new() { ["jobs"] = 0 }, new DomainUsers("jobs", 20, 0));
        var wrong = Split(new() { ["jobs"] = 0 }, new DomainUsers("jobs", 20, 1));

        Assert.Equal(HealthState.Ok, ok.State);
        Assert.Equal(HealthState.Warn, wrong.State);
        Assert.Contains("jobs 5% of 20 users on unified (configured 0% ± 2 points)", wrong.Message);
    }

    [Fact]
    public void Split_NoUserCounts_InsufficientNotOk()
    {
        var check = Split(new() { ["jobs"] = 10 });

        Assert.Equal(HealthState.InsufficientData, check.State);
        Assert.Contains("none are arriving", check.Message);
    }

    private static HealthCheck Split(Dictionary<string, decimal> expected, params DomainUsers[] users)
    {
        var empty = StatsCalculator.Compute([], Now.AddHours(-1), Now);
        var report = HealthEvaluator.Evaluate(new HealthInputs(Now, empty, empty, [], expected, Users: users), new HealthThresholds());
        return Assert.Single(report.Checks, static c => c.Name == HealthEvaluator.Split);
    }
}
