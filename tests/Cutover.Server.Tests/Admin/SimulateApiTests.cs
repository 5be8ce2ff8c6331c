using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

public sealed class SimulateApiTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        WithTokens(settings);
    }

    [Fact]
    public async Task Simulate_WithReadToken_SnakeCaseFieldsForEveryDomainAndTotals_NothingChanges()
    {
        // arrange: two users writing about jobs, one at bucket below 25%, one above
        var below = UserWith(unified: true, 25);
        var above = UserWith(unified: false, 25);
        using (var post = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(below, "any job?"), Msg.Text(below, "a job please"), Msg.Text(above, "job"))))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        await Router.WaitForDecisionsAsync(3);

        // act
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/simulate?percent=25", token: ReadToken);

        // assert
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("24h", "set", 25m), (json.GetProperty("window").GetString(), json.GetProperty("change").GetString(), json.GetProperty("percent").GetDecimal()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("domain").ValueKind);
        Assert.True(json.GetProperty("enabled").GetBoolean());
        var jobs = json.GetProperty("domains").EnumerateArray().Single(static d => d.GetProperty("domain").GetString() == "jobs");
        Assert.Equal((0m, 25m), (jobs.GetProperty("percent_now").GetDecimal(), jobs.GetProperty("percent_proposed").GetDecimal()));
        Assert.Equal((2, 3), (jobs.GetProperty("users").GetInt64(), jobs.GetProperty("requests").GetInt64()));
        Assert.Equal((1, 2), (jobs.GetProperty("users_to_unified").GetInt64(), jobs.GetProperty("requests_to_unified").GetInt64()));
        Assert.Equal((0, 0), (jobs.GetProperty("unified_users_now").GetInt64(), jobs.GetProperty("unified_requests_now").GetInt64()));
        Assert.Equal((1, 2), (jobs.GetProperty("unified_users_proposed").GetInt64(), jobs.GetProperty("unified_requests_proposed").GetInt64()));
        Assert.Equal((0, 0, 0), (jobs.GetProperty("users_to_legacy").GetInt64(), jobs.GetProperty("requests_to_legacy").GetInt64(), jobs.GetProperty("pinned_users").GetInt64()));
        Assert.True(json.GetProperty("domains").EnumerateArray().Single(static d => d.GetProperty("domain").GetString() == "mobility").GetProperty("protected").GetBoolean());
        var totals = json.GetProperty("totals");
        Assert.Equal(("*", JsonValueKind.Null), (totals.GetProperty("domain").GetString(), totals.GetProperty("percent_now").ValueKind));
        Assert.Equal(1, totals.GetProperty("users_to_unified").GetInt64());
        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
    }

    [Fact]
    public async Task Simulate_StepOfThePlan_UsesItsPercent()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/simulate?step=2&window=1h", token: ReadToken);

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 25m, "1h"), (json.GetProperty("step").GetInt32(), json.GetProperty("percent").GetDecimal(), json.GetProperty("window").GetString()));
    }

    [Fact]
    public async Task Simulate_WithoutToken_Unauthorized()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/simulate?percent=25");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("", "invalid_request", "'percent' is required")]
    [InlineData("percent=101", "invalid_request", "'percent': percent must be between 0 and 100")]
    [InlineData("percent=ten", "invalid_request", "'percent' must be a number")]
    [InlineData("percent=10.555", "invalid_request", "'percent': percent has at most two decimals")]
    [InlineData("percent=global", "invalid_request", "'percent' can be 'global' only with 'domain'")]
    [InlineData("percent=25&window=2y", "invalid_request", "'window': '2y' has an unknown unit")]
    [InlineData("percent=25&domain=mobility", "protected_domain", "'domain': mobility is a protected domain")]
    [InlineData("percent=25&domain=travel", "unknown_domain", "'domain': unknown domain 'travel'")]
    [InlineData("step=99", "invalid_request", "'step' must be a step of the plan, 1 to 6")]
    [InlineData("percent=25&step=2", "invalid_request", "give 'percent' or 'step', not both")]
    [InlineData("percent=25&routable=yes&domain=jobs", "invalid_request", "'routable' must be true or false")]
    [InlineData("percent=25&routable=true", "invalid_request", "'routable' needs a 'domain'")]
    [InlineData("percent=25&change=promote", "invalid_request", "'change' must be set or rollback")]
    [InlineData("percent=25&change=rollback&domain=jobs", "invalid_request", "a rollback takes only 'percent'")]
    public async Task Simulate_BadParameter_400NamingIt(string query, string error, string message)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/simulate?" + query, token: ReadToken);

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.StartsWith(message, json.GetProperty("message").GetString());
    }
}
