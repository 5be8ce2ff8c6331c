using System.Net;
using System.Text;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Cluster;

/// <summary>
/// Identities kept by the store: a link learned before a restart still maps the BSUID to the phone's side after it
/// (SQLite and PostgreSQL), and on PostgreSQL a link learned by one instance is used by another once both have synced.
/// Real routers, real upstreams, real databases; the clock is the real one, so the sync runs on its own timer and the
/// tests wait for what it does.
/// </summary>
public sealed class IdentityStoreTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_LinkLearnedBeforeARestart_UsernameOnlyMessageGoesToThePhonesSideAfterIt()
    {
        var directory = Directory.CreateTempSubdirectory("cutover-identity-");
        try
        {
            await RestartKeepsTheLinkAsync(s => s["Cutover:Store:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "cutover.db")}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_LinkLearnedBeforeARestart_UsernameOnlyMessageGoesToThePhonesSideAfterIt()
    {
        var database = await postgres.Cluster.CreateDatabaseAsync(Cancel);

        await RestartKeepsTheLinkAsync(Postgres(database));
    }

    [Fact]
    public async Task Postgres_TwoInstances_LinkLearnedByOneIsUsedByTheOtherAfterBothSynced_OnePersonKeyInTheLog()
    {
        // arrange: two instances on one database (memory shared: the default on PostgreSQL)
        var database = await postgres.Cluster.CreateDatabaseAsync(Cancel);
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var first = await RouterHarness.StartAsync(upstreams, Postgres(database), cancellationToken: Cancel);
        await using var second = await RouterHarness.StartAsync(upstreams, Postgres(database), cancellationToken: Cancel);
        var who = SplitIdentity.Find(first.Service<RouterTopology>().Bucketing, phoneOnUnified: false);
        Assert.Equal(first.Service<RouterTopology>().Bucketing.Salt, second.Service<RouterTopology>().Bucketing.Salt);
        await first.SetPercentAsync(50);
        var holder = second.Service<RoutingStateHolder>();
        await Eventually.WaitAsync(() => holder.Current.State.Percent == 50m, Patience, "the second instance to see 50%");

        // act: the first instance learns phone + BSUID; the second is asked (explain learns nothing) until it knows
        var byPhone = Msg.Text(who.Phone, "a job please") with { UserId = who.UserId };
        await PostAsync(first, byPhone);
        var byName = Msg.TextFromUserId(who.UserId, "a job please");
        await Eventually.WaitAsync(async () => await ExplainedBucketAsync(second, byName) == who.PhoneBucket, Patience,
            "the second instance to map the BSUID to the phone's bucket");
        await PostAsync(second, byName);

        // assert: both messages on the phone's side, though the BSUID alone is on the other
        Assert.Equal(who.PhoneSide("jobs"), UpstreamOf(upstreams, byPhone.MessageId));
        Assert.Equal(who.PhoneSide("jobs"), UpstreamOf(upstreams, byName.MessageId));
        Assert.NotEqual(who.PhoneSide("jobs"), who.UserIdSide("jobs"));

        // one person key in the shared decision log for both messages, the phone's (hashed)
        await first.WaitForDecisionsAsync(1);
        await second.WaitForDecisionsAsync(1);
        var hasher = first.Service<UserKeyProtection>().Hasher;
        var decisions = await first.DecisionsAsync();
        var keys = decisions.Where(d => d.MessageId == hasher.ProtectMessageId(byPhone.MessageId) || d.MessageId == hasher.ProtectMessageId(byName.MessageId))
            .Select(static d => d.UserKey).ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.Equal(hasher.Protect(who.Phone), k));

        // and the second instance names the same person as the first
        var onSecond = await UserAsync(second, who.UserId);
        var onFirst = await UserAsync(first, who.Phone);
        Assert.True(onSecond.GetProperty("known").GetBoolean());
        Assert.Equal(onFirst.GetProperty("person").GetString(), onSecond.GetProperty("person").GetString());
        Assert.Equal(who.PhoneBucket, onSecond.GetProperty("bucket").GetInt32());
    }

    /// <summary>
    /// A router learns phone + BSUID, the link reaches the store, the router stops; a new one on the same store routes the
    /// BSUID-only message to the phone's side.
    /// </summary>
    private static async Task RestartKeepsTheLinkAsync(Action<Dictionary<string, string?>> store)
    {
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        SplitIdentity who;
        Msg byPhone;
        await using (var first = await RouterHarness.StartAsync(upstreams, store, cancellationToken: Cancel))
        {
            who = SplitIdentity.Find(first.Service<RouterTopology>().Bucketing, phoneOnUnified: true);
            await first.SetPercentAsync(50);
            byPhone = Msg.Text(who.Phone, "a job please") with { UserId = who.UserId };
            await PostAsync(first, byPhone);

            // Written behind the request: wait until the store holds the BSUID's link to the phone.
            var protection = first.Service<UserKeyProtection>();
            var clusterStore = first.Service<IClusterStore>();
            await Eventually.WaitAsync(async () => (await clusterStore.FindPersonAsync(protection.Protect(who.UserId), Cancel))
                .Any(e => e.Identifier == protection.Protect(who.UserId) && e.Person == protection.Protect(who.Phone)), Patience,
                "the BSUID's link to be stored");
        }

        await using var second = await RouterHarness.StartAsync(upstreams, store, cancellationToken: Cancel);
        var byName = Msg.TextFromUserId(who.UserId, "a job please");
        await PostAsync(second, byName);

        Assert.Equal(who.PhoneSide("jobs"), UpstreamOf(upstreams, byPhone.MessageId));
        Assert.Equal(who.PhoneSide("jobs"), UpstreamOf(upstreams, byName.MessageId));
    }

    private static Action<Dictionary<string, string?>> Postgres(string connectionString) => s =>
    {
        s["Cutover:Store:Provider"] = "postgres";
        s["Cutover:Store:ConnectionString"] = connectionString;
        s["Cutover:Privacy:HashKey"] = "identity-test-hash-key-0123456789"; // PostgreSQL wants one key for all instances
        s["Cutover:Store:PollInterval"] = "00:00:00.100";
        s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
    };

    private static async Task PostAsync(RouterHarness router, Msg update)
    {
        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(update));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<int> ExplainedBucketAsync(RouterHarness router, Msg update)
    {
        using var response = await router.AdminAsync(HttpMethod.Post, "admin/explain", Encoding.UTF8.GetString(WebhookBuilder.Of(update)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return json.RootElement.GetProperty("updates")[0].GetProperty("bucket").GetInt32();
    }

    private static async Task<JsonElement> UserAsync(RouterHarness router, string id)
    {
        using var response = await router.AdminAsync(HttpMethod.Get, "admin/users/" + Uri.EscapeDataString(id));
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string UpstreamOf(RecordingUpstreams upstreams, string id) =>
        Assert.Single(upstreams.Requests, r => Encoding.UTF8.GetString(r.Body).Contains($"\"{id}\"", StringComparison.Ordinal)).Upstream;
}
