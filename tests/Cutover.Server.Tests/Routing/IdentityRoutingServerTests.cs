using System.Net;
using System.Text;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Routing;

/// <summary>
/// One person, one side, through <c>POST /webhook</c> to real upstreams: whichever identifier an update names the person
/// by (phone, BSUID, a number changed to), it goes where the identifier seen first puts them, and statuses follow the
/// person's last inbound message, through a rollback too. Every person is a <see cref="SplitIdentity"/>, so each identifier
/// alone would route to the other side: each assertion fails if identity were not applied.
/// </summary>
public sealed class IdentityRoutingServerTests : RouterTest
{
    private static readonly decimal[] Percents = [10m, 25m, 50m, 75m];

    private Bucketing Bucketing => Router.Service<RouterTopology>().Bucketing;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PhoneThenUsernameOnly_SameUpstreamAtEveryPercent_StatusesToTheUserIdFollow(bool phoneOnUnified)
    {
        // arrange
        var who = SplitIdentity.Find(Bucketing, phoneOnUnified);
        var ids = new List<string>();

        // act: at each step of the rollout the person writes with their number, then with their username only, and the
        // handler's reply to the username sends its status
        foreach (var percent in Percents)
        {
            await Router.SetPercentAsync(percent);
            var byPhone = Msg.Text(who.Phone, "a job please") with { UserId = who.UserId };
            var byName = Msg.TextFromUserId(who.UserId, "a job please");
            var status = Msg.StatusToUserId(who.UserId, $"wamid.REPLY{percent:00}{phoneOnUnified}");
            foreach (var update in new[] { byPhone, byName, status })
            {
                await PostAsync(update);
                ids.Add(update.MessageId);
            }
        }

        // assert: every message and status of the person reached the phone's side, none the username's
        Assert.Equal(ids.Select(_ => who.PhoneSide("jobs")), ids.Select(UpstreamOf));
        Assert.Equal(12, Upstreams.Requests.Count);
    }

    [Fact]
    public async Task UnifiedRepliesToUserId_StatusesReachUnified_ThroughARollback_UntilANewMessageGoesToLegacy()
    {
        // arrange: at 50% the person's phone is on unified; their BSUID alone would be on legacy
        var who = SplitIdentity.Find(Bucketing, phoneOnUnified: true, skip: 1);
        await Router.SetPercentAsync(50);
        var inbound = Msg.Text(who.Phone, "a job please") with { UserId = who.UserId };
        await PostAsync(inbound);

        // act: unified replies to the BSUID; the statuses name only recipient_user_id
        var sent = Msg.StatusToUserId(who.UserId, "wamid.UNIFIEDREPLY1", "sent");
        var delivered = Msg.StatusToUserId(who.UserId, "wamid.UNIFIEDREPLY2", "delivered");
        await PostAsync(sent);
        await PostAsync(delivered);

        using (var rollback = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"to": 0, "reason": "unified misbehaves"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        }

        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
        var readAfterRollback = Msg.StatusToUserId(who.UserId, "wamid.UNIFIEDREPLY3", "read");
        await PostAsync(readAfterRollback);
        var newMessage = Msg.TextFromUserId(who.UserId, "a job please");
        await PostAsync(newMessage);
        var legacyReplyStatus = Msg.StatusToUserId(who.UserId, "wamid.LEGACYREPLY1", "delivered");
        await PostAsync(legacyReplyStatus);

        // assert
        Assert.Equal(
            ["unified", "unified", "unified", "unified", "jobs", "jobs"],
            new[] { inbound, sent, delivered, readAfterRollback, newMessage, legacyReplyStatus }.Select(static m => m.MessageId).Select(UpstreamOf));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UserChangedNumber_NewNumberKeepsTheOldNumbersSide(bool oldOnUnified)
    {
        // arrange: the new number's own bucket is on the other side at 50%
        var old = SplitIdentity.Find(Bucketing, oldOnUnified, skip: 2);
        var newNumber = SplitIdentity.OppositePhone(Bucketing, old.PhoneBucket);
        var newSideAlone = Bucketing.BucketOf(newNumber) < Bucketing.ThresholdOf(50) ? "unified" : "jobs";
        Assert.NotEqual(old.PhoneSide("jobs"), newSideAlone);
        await Router.SetPercentAsync(50);
        var before = Msg.Text(old.Phone, "a job please");
        await PostAsync(before);

        // act
        await PostAsync(Msg.ChangedNumber(old.Phone, newNumber));
        var after = Msg.Text(newNumber, "a job please");
        await PostAsync(after);

        // assert
        Assert.Equal(old.PhoneSide("jobs"), UpstreamOf(before.MessageId));
        Assert.Equal(old.PhoneSide("jobs"), UpstreamOf(after.MessageId));
    }

    [Fact]
    public async Task Explain_UsernameOnlyMessageAfterTheLink_NamesThePhoneAsPersonAndTheUserIdAsVia()
    {
        // arrange
        var who = SplitIdentity.Find(Bucketing, phoneOnUnified: false, skip: 3);
        await Router.SetPercentAsync(50);
        await PostAsync(Msg.Text(who.Phone, "a job please") with { UserId = who.UserId });

        // act
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/explain",
            Encoding.UTF8.GetString(WebhookBuilder.Of(Msg.TextFromUserId(who.UserId, "a job please"))));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var update = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("updates").EnumerateArray());
        Assert.Equal(who.UserId, update.GetProperty("user_key").GetString());
        Assert.Equal(who.Phone, update.GetProperty("person").GetString());
        Assert.Equal(who.UserId, update.GetProperty("via").GetString());
        Assert.Equal(who.PhoneBucket, update.GetProperty("bucket").GetInt32());
        Assert.Equal(who.PhoneSide("jobs"), update.GetProperty("upstream").GetString());
        Assert.Single(Upstreams.Requests); // explain sends nothing
    }

    private async Task PostAsync(Msg update)
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(update));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The upstream that received the update with this id (each test posts one update per webhook).</summary>
    private string UpstreamOf(string id) =>
        Assert.Single(Upstreams.Requests, r => Encoding.UTF8.GetString(r.Body).Contains($"\"{id}\"", StringComparison.Ordinal)).Upstream;
}
