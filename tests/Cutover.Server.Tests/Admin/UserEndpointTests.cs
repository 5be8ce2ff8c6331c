using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cutover.Core.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

/// <summary><c>GET /admin/users/{id}</c> against a real router with tokens and hashed user keys (the defaults).</summary>
public sealed partial class UserEndpointTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        WithTokens(settings);
        settings["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
    }

    [Fact]
    public async Task UnknownId_NotKnown_WithTheBucketANewUserWouldGet()
    {
        var bucketing = Router.Service<RouterTopology>().Bucketing;

        var user = await GetAsync("US.99887766554433221100");

        Assert.False(user.GetProperty("known").GetBoolean());
        Assert.Equal(bucketing.BucketOf("US.99887766554433221100"), user.GetProperty("bucket").GetInt32());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("conversation").ValueKind);
        Assert.Equal(JsonValueKind.Null, user.GetProperty("last_decision").ValueKind);
    }

    [Fact]
    public async Task AfterTraffic_KnownWithBothIdentifiersHashedRoutesConversationAndLastDecision()
    {
        // arrange: at 50% the phone is on unified, the BSUID alone would not be
        var who = SplitIdentity.Find(Router.Service<RouterTopology>().Bucketing, phoneOnUnified: true);
        using (var set = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "test"}""", OperateToken))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        using (var post = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(who.Phone, "a job please") with { UserId = who.UserId })))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        await Router.WaitForDecisionsAsync(1);

        // act: asked by the BSUID, and by the phone
        var byUserId = await GetAsync(who.UserId);
        var byPhone = await GetAsync(who.Phone);

        // assert
        Assert.True(byUserId.GetProperty("known").GetBoolean());
        Assert.Equal(who.PhoneBucket, byUserId.GetProperty("bucket").GetInt32());
        Assert.Equal(byPhone.GetProperty("person").GetString(), byUserId.GetProperty("person").GetString());
        Assert.Matches(Hashed(), byUserId.GetProperty("person").GetString()!);
        var identifiers = byUserId.GetProperty("identifiers").EnumerateArray().ToList();
        Assert.Equal(2, identifiers.Count);
        Assert.All(identifiers, static i => Assert.Matches(Hashed(), i.GetProperty("identifier").GetString()!));
        Assert.DoesNotContain(who.Phone, byUserId.ToString());
        var asked = Assert.Single(identifiers, static i => i.GetProperty("asked").GetBoolean()).GetProperty("identifier").GetString();
        var askedByPhone = Assert.Single(byPhone.GetProperty("identifiers").EnumerateArray(), static i => i.GetProperty("asked").GetBoolean())
            .GetProperty("identifier").GetString();
        Assert.NotEqual(asked, askedByPhone);
        Assert.Equal(byPhone.GetProperty("person").GetString(), askedByPhone); // the phone, seen first, is the person

        var jobs = Assert.Single(byUserId.GetProperty("routes").EnumerateArray(), static r => r.GetProperty("domain").GetString() == "jobs");
        Assert.Equal("unified", jobs.GetProperty("route").GetString());
        var conversation = byUserId.GetProperty("conversation");
        Assert.Equal("jobs", conversation.GetProperty("domain").GetString());
        Assert.Equal("unified", conversation.GetProperty("upstream").GetString());
        Assert.True(conversation.GetProperty("statuses_follow").GetBoolean());
        var last = byUserId.GetProperty("last_decision");
        Assert.Equal("message", last.GetProperty("kind").GetString());
        Assert.Equal("unified", last.GetProperty("upstream").GetString());
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("hmac:x")]
    [InlineData(null)]
    public async Task InvalidId_400InvalidUser(string? id)
    {
        id ??= new string('7', 200);

        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/users/" + Uri.EscapeDataString(id), token: ReadToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_user", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-configured-token", HttpStatusCode.Unauthorized)]
    [InlineData(ReadToken, HttpStatusCode.OK)]
    [InlineData(OperateToken, HttpStatusCode.OK)]
    public async Task Get_NeedsAReadToken(string? token, HttpStatusCode expected)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/users/250788000001", token: token);

        Assert.Equal(expected, response.StatusCode);
    }

    private async Task<JsonElement> GetAsync(string id)
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/users/" + Uri.EscapeDataString(id), token: ReadToken);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Hashed();
}
