using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Rollout;

public sealed class NotificationIsolationTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Notifications:Urls:0"] = Upstreams.UrlOf("slow");
        settings["Cutover:Notifications:Urls:1"] = Upstreams.UrlOf("hooks");
        settings["Cutover:Notifications:Timeout"] = "00:00:10";
    }

    [Fact]
    public async Task AReceiverThatHangs_DoesNotHoldBackTheOthersEvents()
    {
        // arrange: "slow" takes every request and never answers (each try times out after 10 s)
        Upstreams.Hang("slow");

        // act: two events
        using var start = await Router.AdminAsync(HttpMethod.Post, "admin/rollout/start", """{"reason": "week 6"}""");
        using var rollback = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "p95 at 4 s"}""");

        // assert: "hooks" has both well before "slow" could have given up on the first
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (start.StatusCode, rollback.StatusCode));
        await Eventually.WaitAsync(() => Upstreams.For("hooks").Count >= 2, TimeSpan.FromSeconds(8), "both events at the receiver that answers");
        Assert.Equal(["rollout_start", "rollback"],
            Upstreams.For("hooks").Select(static h => JsonDocument.Parse(h.Body).RootElement.GetProperty("event").GetString()));
    }
}
