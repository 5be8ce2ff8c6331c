using System.Text;
using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// The envelope: every update of every <c>entry[]</c> × <c>changes[]</c> × <c>messages[]</c> /
/// <c>statuses[]</c>, in document order, whatever the order of properties; facts of a change (phone
/// number id) applied to its own updates only; a reused <see cref="ParsedWebhook"/> keeps nothing.
/// </summary>
public sealed class WebhookParserTests
{
    [Fact]
    public void TryParse_EntriesTimesChangesTimesItems_EveryUpdateInDocumentOrder()
    {
        // 2 entries × 2 changes × (2 messages + 2 statuses), one user per item, one phone number per change.
        var entries = new List<string>();
        for (var e = 0; e < 2; e++)
        {
            var changes = new List<string>();
            for (var c = 0; c < 2; c++)
            {
                var p = $"{e}{c}";
                changes.Add(MessagesChange($$$"""
                    "contacts":[{"profile":{"name":"A"},"wa_id":"2507{{{p}}}01"},{"profile":{"name":"B"},"wa_id":"2507{{{p}}}02"}],
                    "messages":[{"from":"2507{{{p}}}01","id":"wamid.m{{{p}}}0","timestamp":"1","type":"text","text":{"body":"text {{{p}}} 0"}},
                                {"from":"2507{{{p}}}02","id":"wamid.m{{{p}}}1","timestamp":"1","type":"text","text":{"body":"text {{{p}}} 1"}}],
                    "statuses":[{"id":"wamid.s{{{p}}}0","status":"delivered","timestamp":"1","recipient_id":"2507{{{p}}}03"},
                                {"id":"wamid.s{{{p}}}1","status":"read","timestamp":"1","recipient_id":"2507{{{p}}}04"}]
                    """, phoneNumberId: "PN" + p));
            }

            entries.Add(EntryWithId("WABA" + e, [.. changes]));
        }

        var parsed = Parse(Envelope([.. entries]));

        Assert.Equal(16, parsed.Count);
        var i = 0;
        for (var e = 0; e < 2; e++)
        {
            for (var c = 0; c < 2; c++)
            {
                var p = $"{e}{c}";
                string[] ids = [$"wamid.m{p}0", $"wamid.m{p}1", $"wamid.s{p}0", $"wamid.s{p}1"];
                for (var k = 0; k < 4; k++, i++)
                {
                    var u = parsed[i];
                    Assert.Equal(ids[k], u.Id);
                    Assert.Equal(k < 2 ? UpdateKind.Message : UpdateKind.Status, u.Kind);
                    Assert.Equal((e, c, k % 2), (u.Entry, u.Change, u.Item));
                    Assert.Equal($"2507{p}0{k + 1}", u.UserKey);
                    Assert.Equal("PN" + p, u.PhoneNumberId);
                    Assert.Equal(k < 2 ? $"text {p} {k}" : string.Empty, TextOf(parsed, i));
                }
            }
        }
    }

    [Fact]
    public void TryParse_StatusesBeforeMessages_DocumentOrderKept()
    {
        var parsed = Parse(Messages("""
            "statuses":[{"id":"wamid.S","status":"read","recipient_id":"B"}],
            "messages":[{"from":"A","id":"wamid.M","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal([("wamid.S", UpdateKind.Status), ("wamid.M", UpdateKind.Message)], parsed.Updates.ToArray().Select(static u => (u.Id, u.Kind)));
    }

    [Fact]
    public void TryParse_FieldBeforeOrAfterValue_SameUpdates()
    {
        const string value = """{"metadata":{"phone_number_id":"PN1"},"contacts":[{"wa_id":"A"}],"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hello"}}]}""";
        var after = Parse($$"""{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"value":{{value}},"field":"messages"}]}]}""");
        var before = Parse($$$"""{"entry":[{"changes":[{"field":"messages","value":{{{value}}} }],"id":"W"}],"object":"whatsapp_business_account"}""");

        Assert.Equal(after.Updates.ToArray(), before.Updates.ToArray());
        Assert.Equal((UpdateKind.Message, "messages", "A", "PN1"), (before[0].Kind, before[0].Field, before[0].UserKey, before[0].PhoneNumberId));
        Assert.Equal("whatsapp_business_account", before.ObjectType);
    }

    [Fact]
    public void TryParse_MetadataAndContactsAfterTheItems_StillAppliedToThem()
    {
        var parsed = Parse("""
            {"entry":[{"changes":[{"value":{
              "messages":[{"from_user_id":"","id":"m1","type":"text","text":{"body":"x"}}],
              "statuses":[{"id":"s1","status":"sent"}],
              "contacts":[{"profile":{"name":"Ann"},"user_id":"US.1"}],
              "metadata":{"display_phone_number":"15550783881","phone_number_id":"PN-LATE"},
              "messaging_product":"whatsapp"},"field":"messages"}]}]}
            """);

        Assert.Equal(2, parsed.Count);
        Assert.All(parsed.Updates.ToArray(), static u => Assert.Equal(("PN-LATE", "US.1"), (u.PhoneNumberId, u.UserKey)));
    }

    [Fact]
    public void TryParse_ChangeFacts_DoNotLeakIntoTheNextChange()
    {
        var parsed = Parse(Envelope(Entry(
            MessagesChange("""
                "contacts":[{"wa_id":"A"}],"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"one"}}]
                """, phoneNumberId: "PN1"),
            """{"value":{"messages":[{"id":"m2","type":"text","text":{"body":"two"}}]},"field":"messages"}""")));

        Assert.Equal(("A", "PN1"), (parsed[0].UserKey, parsed[0].PhoneNumberId));
        Assert.Equal(("m2", null, null), (parsed[1].Id, parsed[1].UserKey, parsed[1].PhoneNumberId));
    }

    [Fact]
    public void TryParse_ChangeWithoutFieldButWithMessages_TreatedAsMessages()
    {
        var parsed = Parse("""{"entry":[{"changes":[{"value":{"messages":[{"from":"A","id":"m1","type":"text"}]}}]}]}""");

        Assert.Equal((UpdateKind.Message, WebhookParser.MessagesField, "A"), (parsed[0].Kind, parsed[0].Field, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_EscapedFieldName_RecognisedAsMessages()
    {
        var parsed = Parse("""{"entry":[{"changes":[{"field":"m\u0065ssages","value":{"messages":[{"from":"A","id":"m1","type":"text"}]}}]}]}""");

        Assert.Equal((UpdateKind.Message, WebhookParser.MessagesField), (parsed[0].Kind, parsed[0].Field));
    }

    [Fact]
    public void TryParse_EachMessagesText_IsItsOwn()
    {
        var parsed = Parse(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"I need a job"}},
                        {"from":"B","id":"m2","type":"image","image":{"id":"1"}},
                        {"from":"C","id":"m3","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"prop_1","title":"See houses"}}}]
            """));

        Assert.Equal("I need a job", TextOf(parsed, 0));
        Assert.Equal(string.Empty, TextOf(parsed, 1));
        Assert.Equal("See houses", TextOf(parsed, 2));
        Assert.Equal((null, "prop_1"), (parsed[0].InteractiveId, parsed[2].InteractiveId));
    }

    [Fact]
    public void TryParse_NoEntries_ZeroUpdates()
    {
        var parsed = Parse("""{"object":"whatsapp_business_account","entry":[]}""");

        Assert.Equal(0, parsed.Count);
        Assert.Equal("whatsapp_business_account", parsed.ObjectType);
    }

    [Fact]
    public void TryParse_UnknownPropertiesEverywhere_Ignored()
    {
        var parsed = Parse("""
            {"x":{"entry":[1]},"object":"whatsapp_business_account","entry":[{"id":"W","time":1700000000,"extra":[{"changes":5}],
              "changes":[{"future":{"messages":"no"},"value":{"messaging_product":"whatsapp","new_thing":{"statuses":[1,2]},
                "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hi","preview_url":false},"new_field":{"from":"B"}}]},"field":"messages"}]}]}
            """);

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal(("A", "m1"), (update.UserKey, update.Id));
        Assert.Equal("hi", TextOf(parsed, 0));
    }

    [Theory]
    [InlineData("interactive and button", """
        {"value":{"messages":[{"from":"A","id":"m1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"job_1","title":"Jobs"}},"button":{"payload":"mkt_2","text":"Shop"}}]},"field":"messages"}
        """, "A", "job_1")]
    [InlineData("button_reply and list_reply", """
        {"value":{"messages":[{"from":"A","id":"m1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"job_1","title":"Jobs"},"list_reply":{"id":"prop_3","title":"Rooms"}}}]},"field":"messages"}
        """, "A", "job_1")]
    [InlineData("user_preferences and message_echoes", """
        {"value":{"user_preferences":[{"wa_id":"A"}],"message_echoes":[{"to":"Z"}]},"field":"user_preferences"}
        """, "A", null)]
    public void TryParse_TwoPropertiesForOneFact_FirstWinsAndNextChangeStillParsed(string what, string change, string key, string? interactiveId)
    {
        // Two different keys that could each give the fact: the first is kept, and the parser must skip the rest and stay
        // in step. (The same key twice is refused: WebhookParserHostileTests.)
        var parsed = Parse(Envelope(Entry(change, """{"value":{"statuses":[{"id":"s1","status":"read","recipient_id":"NEXT"}]},"field":"messages"}""")));

        Assert.True(parsed.Count == 2, $"{what}: {parsed.Count} updates");
        Assert.Equal((key, interactiveId), (parsed[0].UserKey, parsed[0].InteractiveId));
        Assert.Equal(("s1", "NEXT", 0, 1), (parsed[1].Id, parsed[1].UserKey, parsed[1].Entry, parsed[1].Change));
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("statuses")]
    public void TryParse_ItemListTwiceInOneValue_RefusedNamingIt(string list)
    {
        // Items are numbered within their list and split by that number: a second list would number from 0 again.
        var item = list == "messages"
            ? """{"from":"A","id":"m1","type":"text","text":{"body":"hi"}}"""
            : """{"id":"s1","status":"read","recipient_id":"A"}""";

        var error = Refuse(Messages($$"""
            "{{list}}":[{{item}}],"{{list}}":[{{item}}]
            """));

        Assert.StartsWith($"entry[0].changes[0].value has the key \"{list}\" twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ReusedInstance_KeepsNothingOfTheLastBody()
    {
        var parsed = new ParsedWebhook();
        var big = Encoding.UTF8.GetBytes(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"a long first text"}},{"from":"B","id":"m2","type":"text","text":{"body":"second"}}]
            """));
        var small = Encoding.UTF8.GetBytes("""{"entry":[{"changes":[{"value":{"statuses":[{"id":"s1","status":"read","recipient_id":"C"}]},"field":"messages"}]}]}""");
        Assert.True(WebhookParser.TryParse(big, parsed, out _));

        Assert.True(WebhookParser.TryParse(small, parsed, out var error), error);

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal(("s1", "C", UpdateKind.Status), (update.Id, update.UserKey, update.Kind));
        Assert.Null(update.MessageType);
        Assert.Equal(0, parsed.Text.Length);
        Assert.Null(parsed.ObjectType);
    }

    [Fact]
    public void TryParse_FromEqualToTheContact_SharesItsString_AndADifferentFromKeepsItsOwn()
    {
        var parsed = Parse(Messages("""
            "contacts":[{"wa_id":"250788000001"}],
            "messages":[{"from":"250788000001","id":"m1","type":"text"},{"from":"250788000002","id":"m2","type":"text"},
                        {"from":"25078800000\u0031","id":"m3","type":"text"},{"id":"m4","type":"text"}]
            """));

        Assert.Equal(
            ["250788000001", "250788000002", "250788000001", "250788000001"], parsed.Updates.ToArray().Select(static u => u.UserKey));
        Assert.Same(parsed[3].UserKey, parsed[0].UserKey); // m4 has no from: it takes the contact's key
        Assert.NotSame(parsed[3].UserKey, parsed[2].UserKey); // escaped: read as it is written
    }

    [Fact]
    public void TryParse_ReusedInstance_PhoneNumberIdOfEachBody()
    {
        var parsed = new ParsedWebhook();
        string PhoneNumberIdOf(string id)
        {
            var body = Envelope(Entry(MessagesChange("""
                "messages":[{"from":"A","id":"m1","type":"text"}]
                """, phoneNumberId: id)));
            Assert.True(WebhookParser.TryParse(Encoding.UTF8.GetBytes(body), parsed, out var error), error);
            return Assert.Single(parsed.Updates.ToArray()).PhoneNumberId!;
        }

        var first = PhoneNumberIdOf("106540352242922");
        Assert.Same(first, PhoneNumberIdOf("106540352242922"));
        Assert.Equal("106540352242923", PhoneNumberIdOf("106540352242923"));
        Assert.Equal("10654035224292é", PhoneNumberIdOf("10654035224292\\u00e9"));
        Assert.Equal("106540352242922", PhoneNumberIdOf("10654035224292\\u0032"));
        Assert.Equal("whatsapp_business_account", parsed.ObjectType);
    }

    [Fact]
    public void TryParse_RefusedAfterASuccess_ResultIsEmpty()
    {
        var parsed = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(Encoding.UTF8.GetBytes(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hello"}}]
            """)), parsed, out _));

        // The first message is read before the second item turns out not to be an object.
        var ok = WebhookParser.TryParse(Encoding.UTF8.GetBytes(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hello"}}, 7]
            """)), parsed, out var error);

        Assert.False(ok);
        Assert.NotNull(error);
        Assert.Equal(0, parsed.Count);
        Assert.Equal(0, parsed.Text.Length);
        Assert.Null(parsed.ObjectType);
    }
}
