using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Changes whose <c>field</c> is not <c>messages</c> carry no conversation (DESIGN.md step 2): each is one
/// <see cref="UpdateKind.Change"/> update of that field, item -1, no id; a user key only when the change
/// names one (contacts, user_preferences, message_echoes), and none is no problem.
/// </summary>
public sealed class WebhookParserOtherFieldsTests
{
    [Theory]
    [InlineData("001-account_update-account_deleted.json", "account_update")]
    [InlineData("008-account_update-partner_added.json", "account_update")]
    [InlineData("015-account_update-volume_based_pricing_tier_update.json", "account_update")]
    [InlineData("068-template_category_update.json", "template_category_update")]
    [InlineData("069-message_template_components_update.json", "message_template_components_update")]
    [InlineData("070-message_template_quality_update.json", "message_template_quality_update")]
    [InlineData("071-message_template_status_update-approved.json", "message_template_status_update")]
    [InlineData("072-message_template_status_update-rejected.json", "message_template_status_update")]
    public void TryParse_AccountAndTemplateFields_OneChangeWithoutUserKey(string file, string field)
    {
        var parsed = Parse(Corpus(file));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal((UpdateKind.Change, field, -1), (update.Kind, update.Field, update.Item));
        Assert.Equal((0, 0), (update.Entry, update.Change));
        Assert.Null(update.UserKey);
        Assert.Null(update.Id);
        Assert.Null(update.IdempotencyKey);
        Assert.Null(update.PhoneNumberId);
        Assert.Null(update.MessageType);
        Assert.Null(update.Status);
    }

    [Theory]
    [InlineData("018-calls.json", "calls", "743897493242")]
    [InlineData("022-calls.json", "calls", "5483758353")]
    [InlineData("063-smb_message_echoes.json", "smb_message_echoes", "1122334455667")]
    [InlineData("064-smb_message_echoes.json", "smb_message_echoes", "1122334455667")]
    [InlineData("073-user_preferences.json", "user_preferences", "106540352242922")]
    public void TryParse_UserFieldsWithContacts_OneChangeKeyedByTheContact(string file, string field, string phoneNumberId)
    {
        var parsed = Parse(Corpus(file));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal((UpdateKind.Change, field, -1), (update.Kind, update.Field, update.Item));
        Assert.Equal("972987654321", update.UserKey);
        Assert.Equal(phoneNumberId, update.PhoneNumberId);
        Assert.Null(update.Id);
    }

    [Fact]
    public void TryParse_InlineAccountUpdateWithNumbers_OneChange()
    {
        // entry.time is a number on these fields; value has no metadata (WHATSAPP.md §3).
        var parsed = Parse("""
            {"entry":[{"id":"35602","time":1731617831,"changes":[{"value":{"event":"VERIFIED_ACCOUNT","ban_info":{"waba_ban_state":["SCHEDULE_FOR_DISABLE"],"waba_ban_date":"DATE"}},"field":"account_update"}]}],"object":"whatsapp_business_account"}
            """);

        Assert.Equal((UpdateKind.Change, "account_update", null), (parsed[0].Kind, parsed[0].Field, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_TemplateStatusWithBigNumberId_OneChange()
    {
        var parsed = Parse("""
            {"object":"whatsapp_business_account","entry":[{"id":"WABA","time":1700000000,"changes":[{"value":{
              "event":"APPROVED","message_template_id":905507062668800,"message_template_name":"order_update",
              "message_template_language":"en_US","reason":"NONE"},"field":"message_template_status_update"}]}]}
            """);

        Assert.Equal((UpdateKind.Change, "message_template_status_update"), (parsed[0].Kind, parsed[0].Field));
    }

    [Fact]
    public void TryParse_EchoWithoutContacts_RecipientOfTheEchoIsTheUser()
    {
        // An echo is what the business sent from the app: the user is "to", not "from".
        var parsed = Parse(Envelope(Entry("""
            {"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"PN"},
              "message_echoes":[{"from":"15550783881","to":"250788000001","id":"wamid.E","timestamp":"1","type":"text","text":{"body":"hi"}}]},
             "field":"smb_message_echoes"}
            """)));

        Assert.Equal((UpdateKind.Change, "smb_message_echoes", "250788000001"), (parsed[0].Kind, parsed[0].Field, parsed[0].UserKey));
        Assert.Equal(0, parsed[0].TextLength);
    }

    [Fact]
    public void TryParse_EchoToUsernameUser_ToUserIdStandsIn()
    {
        var parsed = Parse(Envelope(Entry("""
            {"value":{"message_echoes":[{"from":"15550783881","to_user_id":"US.13491208655302741918","id":"wamid.E","type":"text"}]},"field":"smb_message_echoes"}
            """)));

        Assert.Equal("US.13491208655302741918", parsed[0].UserKey);
    }

    [Theory]
    [InlineData("""{"wa_id":"16505551234","detail":"User requested to stop marketing messages","category":"marketing_messages","value":"stop","timestamp":1731705721}""", "16505551234")]
    [InlineData("""{"user_id":"US.13491208655302741918","category":"marketing_messages","value":"resume","timestamp":1731705721}""", "US.13491208655302741918")]
    public void TryParse_UserPreferencesWithoutContacts_PreferenceUserIsTheKey(string preference, string key)
    {
        var parsed = Parse(Envelope(Entry($$"""
            {"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"PN"},"user_preferences":[{{preference}}]},"field":"user_preferences"}
            """)));

        Assert.Equal((UpdateKind.Change, "user_preferences", key), (parsed[0].Kind, parsed[0].Field, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_MessagesChangeWithOnlyErrors_OneChangeOfFieldMessages()
    {
        // value.errors[] (WHATSAPP.md §3.5): an account-level problem, no message or status.
        var parsed = Parse(Messages("""
            "errors":[{"code":130429,"title":"Rate limit hit","message":"Rate limit hit","error_data":{"details":"Cloud API message throughput has been reached."}}]
            """));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal((UpdateKind.Change, WebhookParser.MessagesField, -1), (update.Kind, update.Field, update.Item));
        Assert.Equal(PhoneNumberId, update.PhoneNumberId);
        Assert.Null(update.UserKey);
    }

    [Fact]
    public void TryParse_FieldUnknownToTheParser_OneChangeOfThatField()
    {
        var parsed = Parse("""{"entry":[{"changes":[{"value":{"anything":[{"x":1}]},"field":"business_capability_update"}]}]}""");

        Assert.Equal((UpdateKind.Change, "business_capability_update"), (parsed[0].Kind, parsed[0].Field));
    }

    [Fact]
    public void TryParse_OtherFieldCarryingMessagesArray_StillOneChange()
    {
        // Only field "messages" yields per-item updates; anything else goes by its field as a whole.
        var parsed = Parse("""
            {"entry":[{"changes":[{"value":{"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"x"}},{"from":"B","id":"m2","type":"text"}]},"field":"history"}]}]}
            """);

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal((UpdateKind.Change, "history", -1, "A"), (update.Kind, update.Field, update.Item, update.UserKey));
        Assert.Null(update.Id);
        Assert.Equal(0, update.TextLength);
    }

    [Fact]
    public void TryParse_MixedFieldsInOneBody_EachChangeInDocumentOrder()
    {
        var parsed = Parse(Envelope(
            EntryWithId("W1",
                """{"value":{"event":"VERIFIED_ACCOUNT"},"field":"account_update"}""",
                MessagesChange("""
                    "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hi"}}],"statuses":[{"id":"s1","status":"sent","recipient_id":"B"}]
                    """)),
            EntryWithId("W2",
                """{"value":{"event":"APPROVED","message_template_id":1},"field":"message_template_status_update"}""",
                """{"value":{"contacts":[{"wa_id":"C"}],"calls":[{"id":"wacid.1","event":"connect"}]},"field":"calls"}""")));

        Assert.Equal(
            [(UpdateKind.Change, "account_update", 0, 0), (UpdateKind.Message, "messages", 0, 1), (UpdateKind.Status, "messages", 0, 1),
             (UpdateKind.Change, "message_template_status_update", 1, 0), (UpdateKind.Change, "calls", 1, 1)],
            parsed.Updates.ToArray().Select(static u => (u.Kind, u.Field, u.Entry, u.Change)));
        Assert.Equal([null, "A", "B", null, "C"], parsed.Updates.ToArray().Select(static u => u.UserKey));
    }

    [Fact]
    public void TryParse_ChangeWithNullValueOrNoField_OneChange()
    {
        var parsed = Parse("""{"entry":[{"changes":[{"value":null,"field":"account_update"},{"value":{}}]}]}""");

        Assert.Equal([("account_update", -1), (string.Empty, -1)], parsed.Updates.ToArray().Select(static u => (u.Field, u.Item)));
        Assert.All(parsed.Updates.ToArray(), static u => Assert.Equal(UpdateKind.Change, u.Kind));
    }
}
