using System.Diagnostics.Metrics;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.DecisionLog;

public sealed class DecisionLogPrivacyTests : RouterTest
{
    [Fact]
    public async Task Post_DefaultPrivacy_StoresKeyedHashStableForTheSameUser()
    {
        // act
        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job"), Msg.Text("250788000001", "yes"), Msg.Text("250788000002", "job")));
        await Router.WaitForDecisionsAsync(3);

        // assert
        var keys = (await Router.DecisionsAsync()).Select(static d => d.UserKey!).ToList();
        Assert.All(keys, static k => Assert.Matches("^[0-9a-f]{32}$", k));
        Assert.Equal([1, 2], keys.GroupBy(static k => k).Select(static g => g.Count()).Order());
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Router.DatabasePath)!, "cutover.db*"))
        {
            // The main file and its write-ahead log: the phone number is in neither.
            Assert.DoesNotContain("250788000001", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Post_DefaultPrivacy_StoredRowsHoldNeitherTheMessageIdsNorThePhoneNumber()
    {
        // arrange: ids as Meta makes them, which carry the phone number; a status of the reply to the user, and the
        // message sent twice (Meta retries)
        const string Phone = "250788123456";
        var message = MetaId(Phone, "3A4A6599AEE03810144F");
        var reply = MetaId(Phone, "9F2B31C0D4E5A6B7C8D9");
        Assert.Contains(Phone, Encoding.ASCII.GetString(Convert.FromBase64String(message["wamid.".Length..])));

        // act
        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(Phone, "job") with { MessageId = message }, Msg.Status(Phone) with { MessageId = reply }));
        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(Phone, "job") with { MessageId = message }));
        await Router.WaitForDecisionsAsync(3);

        // assert: every text of every stored row, read back with SQL
        var rows = await TextColumnsAsync(Router.DatabasePath);
        Assert.Equal(3, rows.Count);
        foreach (var value in rows.SelectMany(static r => r.Values).OfType<string>())
        {
            Assert.DoesNotContain(message["wamid.".Length..][..16], value, StringComparison.Ordinal);
            Assert.DoesNotContain(reply["wamid.".Length..][..16], value, StringComparison.Ordinal);
            for (var start = 0; start + 6 <= Phone.Length; start++)
            {
                Assert.DoesNotContain(Phone.Substring(start, 6), value, StringComparison.Ordinal);
            }
        }

        var ids = rows.Select(static r => (string)r["message_id"]!).ToList();
        Assert.All(ids, static id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal([1, 2], ids.GroupBy(static id => id).Select(static g => g.Count()).Order()); // the retry stays visible
        Assert.DoesNotContain((string)rows[0]["from_number"]!, ids);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Router.DatabasePath)!, "cutover.db*"))
        {
            var bytes = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            Assert.DoesNotContain(message["wamid.".Length..], bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(reply["wamid.".Length..], bytes, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A message id as Meta makes them: base64 of a small binary record that holds the phone number
    /// (Meta's example HBgLMTY1MDUwNzY1MjAV… decodes to …16505076520…) and a hex id.
    /// </summary>
    internal static string MetaId(string phone, string hex)
    {
        byte[] record = [0x1C, 0x18, (byte)phone.Length, .. Encoding.ASCII.GetBytes(phone), 0x15, 0x02, 0x00, 0x12, 0x18, (byte)hex.Length,
            .. Encoding.ASCII.GetBytes(hex), 0x00];
        return "wamid." + Convert.ToBase64String(record);
    }

    /// <summary>The text columns of every decision row, by column name.</summary>
    internal static async Task<List<Dictionary<string, object?>>> TextColumnsAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM webhook_routing_logs ORDER BY id";
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i) as string;
            }

            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Post_HandlerHeaderOfUpstream_Recorded()
    {
        Upstreams.HandledBy("jobs", "jobs-agent-v1");

        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));
        await Router.WaitForDecisionsAsync(1);

        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.Equal(("jobs-agent-v1", 200, true), (decision.Handler, decision.StatusCode, decision.Success));
        Assert.True(decision.LatencyMs > 0);
    }

    [Fact]
    public async Task Override_AuditTrailKeepsHashedUserKey()
    {
        using var pin = await Router.AdminAsync(HttpMethod.Put, "admin/overrides/250788000777", """{"route": "legacy", "reason": "support ticket 9"}""");
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history");

        var text = await history.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("support ticket 9", text);
        Assert.DoesNotContain("250788000777", text);
    }
}
