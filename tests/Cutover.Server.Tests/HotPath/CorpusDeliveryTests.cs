using System.Net;
using System.Text.Json;
using Cutover.Core.Classification;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

/// <summary>Every real payload of the corpus through <c>POST /webhook</c>: delivered, untouched, every update logged with a user key.</summary>
public sealed class CorpusDeliveryTests : RouterTest
{
    public static TheoryData<string> Payloads => [.. Corpus.Names];

    protected override void Configure(Dictionary<string, string?> settings) => settings["Cutover:Privacy:UserKeys"] = "raw";

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Post_CorpusPayload_DeliveredAsIsAndEveryMessageOrStatusHasItsUserKey(string name)
    {
        var body = Corpus.Read(name);
        var expected = ExpectedUserKeys(body);

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(Upstreams.Requests).Body);
        await Router.WaitForDecisionsAsync(Math.Max(expected.Count, 1));
        var decisions = await Router.DecisionsAsync();
        var updates = decisions.Where(static d => d.Kind is UpdateKind.Message or UpdateKind.Status).ToList();
        Assert.Equal(expected.Count, updates.Count);
        Assert.All(updates, static d => Assert.False(string.IsNullOrEmpty(d.UserKey), $"{d.Kind} {d.MessageId} has no user key"));
        Assert.Equal(expected.Values.Order(StringComparer.Ordinal), updates.Select(static d => d.UserKey!).Order(StringComparer.Ordinal));
        Assert.All(decisions.Where(static d => d.Kind == UpdateKind.Change), static d => Assert.Equal(ClassificationRule.Field, d.Rule));
    }

    /// <summary>
    /// For every message or status under a <c>messages</c> change: its id and the user key DESIGN.md names
    /// (<c>from</c> / <c>recipient_id</c>, else the business-scoped id, else the change's only contact).
    /// </summary>
    private static Dictionary<string, string> ExpectedUserKeys(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var entry in json.RootElement.GetProperty("entry").EnumerateArray())
        {
            foreach (var change in entry.GetProperty("changes").EnumerateArray())
            {
                if (change.GetProperty("field").GetString() != WebhookParser.MessagesField)
                {
                    continue;
                }

                var value = change.GetProperty("value");
                var contact = value.TryGetProperty("contacts", out var contacts) && contacts.GetArrayLength() == 1 ? contacts[0] : default;
                foreach (var (list, own, scoped) in new[] { ("messages", "from", "from_user_id"), ("statuses", "recipient_id", "recipient_user_id") })
                {
                    if (!value.TryGetProperty(list, out var items))
                    {
                        continue;
                    }

                    foreach (var item in items.EnumerateArray())
                    {
                        var key = StringOf(item, own) ?? StringOf(item, scoped) ?? StringOf(contact, "wa_id") ?? StringOf(contact, "user_id");
                        Assert.NotNull(key);
                        keys[StringOf(item, "id") ?? $"#{n++}"] = key;
                    }
                }
            }
        }

        return keys;
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
