using System.Text;
using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Bodies the router and an upstream would read differently are refused (a key read twice, bytes that are not UTF-8),
/// and identifiers that are not plain tokens are kept only as digests (issue 13, items 2, 4 and 11).
/// </summary>
public sealed class WebhookParserHostileTests
{
    private const string Text = """{"from":"A","id":"m1","type":"text","text":{"body":"job"}}""";

    [Theory]
    [InlineData("""{"object":"whatsapp_business_account","object":"x","entry":[]}""", "the root object has the key \"object\" twice")]
    [InlineData("""{"entry":[],"entry":[]}""", "the root object has the key \"entry\" twice")]
    [InlineData("""{"\u0065ntry":[],"entry":[]}""", "the root object has the key \"entry\" twice")]
    [InlineData("""{"entry":[{"changes":[],"changes":[]}]}""", "entry[0] has the key \"changes\" twice")]
    [InlineData("""{"entry":[{"changes":[{"field":"messages","field":"calls"}]}]}""", "entry[0].changes[0] has the key \"field\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{},"value":{}}]}]}""", "entry[0].changes[0] has the key \"value\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"metadata":{},"metadata":{}}}]}]}""", "entry[0].changes[0].value has the key \"metadata\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"1","phone_number_id":"2"}}}]}]}""", "entry[0].changes[0].value.metadata has the key \"phone_number_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"contacts":[],"contacts":[]}}]}]}""", "entry[0].changes[0].value has the key \"contacts\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"contacts":[{},{"wa_id":"1","wa_id":"2"}]}}]}]}""", "entry[0].changes[0].value.contacts[1] has the key \"wa_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[],"messages":[]}}]}]}""", "entry[0].changes[0].value has the key \"messages\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":[],"statuses":[]}}]}]}""", "entry[0].changes[0].value has the key \"statuses\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"id":"a","id":"b"}]}}]}]}""", "entry[0].changes[0].value.messages[0] has the key \"id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"text":{"body":"job","body":"rent"}}]}}]}]}""", "entry[0].changes[0].value.messages[0].text has the key \"body\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"interactive":{"button_reply":{"id":"job_1","id":"prop_1"}}}]}}]}]}""", "entry[0].changes[0].value.messages[0].interactive.button_reply has the key \"id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"image":{},"image":{}}]}}]}]}""", "entry[0].changes[0].value.messages[0] has the key \"image\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"system":{"wa_id":"1","wa_id":"2"}}]}}]}]}""", "entry[0].changes[0].value.messages[0].system has the key \"wa_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":[{"id":"s","status":"read","status":"sent"}]}}]}]}""", "entry[0].changes[0].value.statuses[0] has the key \"status\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"user_preferences":[{"wa_id":"1","wa_id":"2"}]}}]}]}""", "entry[0].changes[0].value.user_preferences[0] has the key \"wa_id\" twice")]
    public void TryParse_KeyTheParserReadsRepeated_RefusedNamingThePlaceAndTheKey(string json, string expected)
    {
        var error = Refuse(json);

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TheIssuesSplitByRepeatedEntry_RefusedRatherThanRoutedOneWayAndDeliveredAnother()
    {
        // User A in the first copy, B in the second: A was decided and logged, while the legacy upstream got both.
        var error = Refuse(Envelope(Entry(MessagesChange("\"messages\":[" + Text + "]"))).Replace(
            "\"entry\":[", "\"entry\":[],\"entry\":[", StringComparison.Ordinal));

        Assert.Contains("\"entry\" twice", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"object":"whatsapp_business_account"}""", "the body has no entry array")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"W","time":1}]}""", "entry[0] has no changes array")]
    [InlineData("""{"entry":[{"changes":[]},{"id":"W"}]}""", "entry[1] has no changes array")]
    public void TryParse_EnvelopeWithoutItsLists_Refused(string json, string expected)
    {
        // Forwarded whole to the fallback upstream, these reached a handler as webhooks no Meta reader takes for one.
        Assert.StartsWith(expected, Refuse(json), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_EmptyLists_StillAnEnvelope()
    {
        Assert.Equal(0, Parse("""{"object":"whatsapp_business_account","entry":[]}""").Count);
        Assert.Equal(0, Parse("""{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[]}]}""").Count);
    }

    [Fact]
    public void TryParse_KeysRepeatedInsideWhatTheParserSkips_Accepted()
    {
        // Unknown objects go on byte for byte; only the keys that decide where an update goes must be single.
        var parsed = Parse(Messages("""
            "messages":[{"from":"A","id":"m1","type":"location","location":{"latitude":1,"latitude":2},
                         "context":{"id":"x","id":"y"}}],
            "errors":[{"code":1,"code":2}]
            """));

        Assert.Equal(("A", "m1"), (parsed[0].UserKey, parsed[0].Id));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void TryParse_InvalidUtf8InAFieldTheParserSkips_RefusedWithTheOffset(byte[] bad)
    {
        // The reader checks only the strings it decodes: these bytes were forwarded, while the docs said 400.
        var json = Encoding.UTF8.GetBytes(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"job"},"context":{"note":"~"}}]
            """));
        var at = Array.IndexOf(json, (byte)'~');
        var body = json[..at].Concat(bad).Concat(json[(at + 1)..]).ToArray();

        var error = Refuse(body);

        Assert.StartsWith("malformed JSON: the body is not UTF-8", error, StringComparison.Ordinal);
        Assert.Contains($"at offset {at})", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wamid.\u00e9t\u00e9")]
    [InlineData("wamid.x\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: evil\r\nX-Pad: ")]
    [InlineData("has space")]
    [InlineData("nul\u0000")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef")]
    public void TryParse_IdsAndUserKeysThatAreNotPlainTokens_KeptAsStableDigests(string value)
    {
        var escaped = System.Text.Json.JsonSerializer.Serialize(value);
        var json = Messages($$$"""
            "messages":[{"from":{{{escaped}}},"id":{{{escaped}}},"type":"text","text":{"body":"job"}}],
            "statuses":[{"id":{{{escaped}}},"status":"read","recipient_id":{{{escaped}}}}]
            """);

        var first = Parse(json);
        var again = Parse(json);

        var digest = WebhookIds.Plain(value)!;
        Assert.Matches("^sha256:[0-9a-f]{32}$", digest);
        Assert.Equal((digest, digest), (first[0].Id, first[0].UserKey));
        Assert.Equal((digest, digest, digest + ":read"), (first[1].Id, first[1].UserKey, first[1].IdempotencyKey));
        Assert.Equal((first[0].Id, first[0].UserKey), (again[0].Id, again[0].UserKey));
    }

    [Fact]
    public void TryParse_MegabyteUserKeyInContactsAndFrom_OneBoundedKeyForTheUser()
    {
        var huge = new string('7', 1024 * 1024);
        var parsed = Parse(Messages($$$"""
            "contacts":[{"profile":{"name":"A"},"wa_id":"{{{huge}}}"}],
            "messages":[{"from":"{{{huge}}}","id":"m1","type":"text","text":{"body":"hi"}},{"id":"m2","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal(WebhookIds.Plain(huge), parsed[0].UserKey);
        Assert.Equal(parsed[0].UserKey, parsed[1].UserKey); // the second takes the contact's key: the same person
        Assert.True(parsed[0].UserKey!.Length < 64);
    }

    [Theory]
    [InlineData("wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")]
    [InlineData("16505551234")]
    [InlineData("US.13491208655302741918")]
    [InlineData("ABGGFlA5Fpa")]
    public void Plain_MetasIdentifiers_KeptAsTheyAre(string value)
    {
        Assert.True(WebhookIds.IsPlain(value));
        Assert.Same(value, WebhookIds.Plain(value));
    }

    [Fact]
    public void Plain_AtAndPastTheLimit_KeptThenDigested()
    {
        var atLimit = new string('a', WebhookIds.MaxLength);
        var past = atLimit + "a";

        Assert.Same(atLimit, WebhookIds.Plain(atLimit));
        Assert.StartsWith(WebhookIds.DigestPrefix, WebhookIds.Plain(past), StringComparison.Ordinal);
        Assert.NotEqual(WebhookIds.Plain(past), WebhookIds.Plain(past + "a"));
        Assert.Null(WebhookIds.Plain(null));
    }
}
