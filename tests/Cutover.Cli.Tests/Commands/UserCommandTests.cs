using System.Net;
using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Core.Routing;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>cutover user ID</c> against a real router (raw user keys, so the identifiers read as they were sent).</summary>
public sealed class UserCommandTests : CliTest
{
    [Fact]
    public async Task User_AskedByTheUserIdAfterAPhoneMessage_TextAndJsonNameThePersonBothIdentifiersAndTheRoute()
    {
        // arrange: at 50% the phone is on unified, the BSUID alone would not be
        var who = SplitIdentity.Find(Router.Service<RouterTopology>().Bucketing, phoneOnUnified: true);
        Assert.Equal(0, (await Cutover("set", "50", "--reason", "identity test")).ExitCode);
        using (var post = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(who.Phone, "a job please") with { UserId = who.UserId })))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        // act
        var text = await CutoverAs(ReadToken, "user", who.UserId);
        var json = await CutoverAs(ReadToken, "user", who.UserId, "--json");

        // assert
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"{who.UserId}: person {who.Phone}", text.Out);
        Assert.Contains($"bucket {who.PhoneBucket}", text.Out);
        Assert.Contains($"{who.UserId}  (the one asked about)", text.Out);
        Assert.Contains("Last inbound message:", text.Out);
        Assert.Contains("statuses of the replies go there too", text.Out);

        Assert.Equal(0, json.ExitCode);
        var user = JsonDocument.Parse(json.Out).RootElement;
        Assert.True(user.GetProperty("known").GetBoolean());
        Assert.Equal(who.Phone, user.GetProperty("person").GetString());
        Assert.Equal(who.PhoneBucket, user.GetProperty("bucket").GetInt32());
        Assert.Equal([who.Phone, who.UserId], user.GetProperty("identifiers").EnumerateArray().Select(static i => i.GetProperty("identifier").GetString()).Order());
        var jobs = Assert.Single(user.GetProperty("routes").EnumerateArray(), static r => r.GetProperty("domain").GetString() == "jobs");
        Assert.Equal("unified", jobs.GetProperty("upstream").GetString());
    }

    [Fact]
    public async Task User_NeverSeen_SaysSoWithTheBucketANewUserWouldGet()
    {
        var bucket = Router.Service<RouterTopology>().Bucketing.BucketOf("US.55555555555555555555");

        var run = await CutoverAs(ReadToken, "user", "US.55555555555555555555");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"US.55555555555555555555: not seen yet; as a new user they would get bucket {bucket}", run.Out);
    }
}
