using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// User keys (DESIGN.md "Words"): <c>messages[].from</c>, <c>statuses[].recipient_id</c> (or
/// <c>contacts[].wa_id</c>); for users with usernames these can be absent and the business-scoped user
/// id stands in: <c>from_user_id</c>, <c>recipient_user_id</c>, <c>contacts[].user_id</c> (WHATSAPP.md
/// §3.1, §3.2, §3.4). An item's own id wins over <c>contacts[]</c>, which may list several users.
/// </summary>
public sealed class WebhookParserUserKeysTests
{
    private const string Bsuid = "US.13491208655302741918";
    private const string ParentBsuid = "US.ENT.11815799212886844830";

    [Fact]
    public void TryParse_MessageWithFrom_FromIsTheKey()
    {
        var parsed = Parse(Messages($$$"""
            "contacts":[{"profile":{"name":"Ann"},"wa_id":"250788000001","user_id":"{{{Bsuid}}}"}],
            "messages":[{"from":"250788000001","from_user_id":"{{{Bsuid}}}","id":"m1","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal("250788000001", parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_UsernameUserWithoutFrom_FromUserIdStandsIn()
    {
        // M-BS: from may be omitted for a user with a username; contacts then has user_id and no wa_id.
        var parsed = Parse(Messages($$$"""
            "contacts":[{"profile":{"name":"Ann","username":"@ann"},"user_id":"{{{Bsuid}}}","parent_user_id":"{{{ParentBsuid}}}"}],
            "messages":[{"from_user_id":"{{{Bsuid}}}","from_parent_user_id":"{{{ParentBsuid}}}","id":"m1","timestamp":"1","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_FromParentUserIdBeforeFromUserId_TheUserIdNotTheParent()
    {
        var parsed = Parse(Messages($$"""
            "messages":[{"from_parent_user_id":"{{ParentBsuid}}","from_user_id":"{{Bsuid}}","id":"m1","type":"text"}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_StatusWithRecipientId_RecipientIdIsTheKey()
    {
        var parsed = Parse(Messages($$"""
            "contacts":[{"wa_id":"250788000001","user_id":"{{Bsuid}}"}],
            "statuses":[{"id":"s1","status":"delivered","recipient_id":"250788000001","recipient_user_id":"{{Bsuid}}"}]
            """));

        Assert.Equal("250788000001", parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_StatusSentToBsuid_RecipientUserIdStandsIn()
    {
        var parsed = Parse(Messages($$"""
            "contacts":[{"profile":{"name":"Ann","username":"@ann"},"user_id":"{{Bsuid}}","parent_user_id":"{{ParentBsuid}}"}],
            "statuses":[{"id":"s1","status":"read","timestamp":"1","recipient_user_id":"{{Bsuid}}","parent_recipient_user_id":"{{ParentBsuid}}"}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_FailedStatusToBsuidWithoutContacts_RecipientUserIdStandsIn()
    {
        // M-BS: failed statuses omit contacts[]; recipient_id is omitted when the message went to a BSUID.
        var parsed = Parse(Messages($$"""
            "statuses":[{"id":"s1","status":"failed","timestamp":"1","recipient_user_id":"{{Bsuid}}",
              "errors":[{"code":131047,"title":"Re-engagement message"}]}]
            """));

        Assert.Equal(("failed", Bsuid), (parsed[0].Status, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_NoIdOnTheItem_ContactsWaIdStandsIn()
    {
        var parsed = Parse(Messages("""
            "contacts":[{"profile":{"name":"Ann"},"wa_id":"250788000001"}],
            "messages":[{"id":"m1","type":"text","text":{"body":"hi"}}],
            "statuses":[{"id":"s1","status":"sent"}]
            """));

        Assert.Equal(["250788000001", "250788000001"], parsed.Updates.ToArray().Select(static u => u.UserKey));
    }

    [Fact]
    public void TryParse_NoIdOnTheItemAndContactWithoutWaId_ContactUserIdStandsIn()
    {
        var parsed = Parse(Messages($$"""
            "contacts":[{"profile":{"name":"Ann"},"parent_user_id":"{{ParentBsuid}}","user_id":"{{Bsuid}}"}],
            "messages":[{"id":"m1","type":"text"}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_ContactWithWaIdAndUserId_WaIdPreferred()
    {
        var parsed = Parse(Messages($$"""
            "contacts":[{"user_id":"{{Bsuid}}","wa_id":"250788000001"}],
            "messages":[{"id":"m1","type":"text"}]
            """));

        Assert.Equal("250788000001", parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_ItemBsuidAndContactsOfAnotherUser_ItemWins()
    {
        // contacts[] lists every user of the change; only the item's own id tells which one sent it.
        var parsed = Parse(Messages($$"""
            "contacts":[{"wa_id":"250788000001"},{"user_id":"{{Bsuid}}"}],
            "messages":[{"from":"250788000001","id":"m1","type":"text"},{"from_user_id":"{{Bsuid}}","id":"m2","type":"text"}],
            "statuses":[{"id":"s1","status":"read","recipient_user_id":"US.2"}]
            """));

        Assert.Equal(["250788000001", Bsuid, "US.2"], parsed.Updates.ToArray().Select(static u => u.UserKey));
    }

    [Fact]
    public void TryParse_SeveralUsernameUsersInOneChange_EachKeyedByOwnBsuid()
    {
        var parsed = Parse(Messages("""
            "contacts":[{"user_id":"US.111"},{"user_id":"US.222"},{"user_id":"US.333"}],
            "messages":[{"from_user_id":"US.222","id":"m1","type":"text"},{"from_user_id":"US.333","id":"m2","type":"text"},{"from_user_id":"US.111","id":"m3","type":"text"}]
            """));

        Assert.Equal(["US.222", "US.333", "US.111"], parsed.Updates.ToArray().Select(static u => u.UserKey));
    }

    [Fact]
    public void TryParse_ReplyContextFrom_IsTheBusinessNotTheUser()
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"context":{"from":"15550783881","id":"wamid.Q"},"from_user_id":"{{{Bsuid}}}","id":"m1","type":"button","button":{"payload":"p","text":"t"}}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Theory]
    [InlineData(""" "from":"" """)]
    [InlineData(""" "from":null """)]
    [InlineData(""" "from":250788000001 """)]
    [InlineData(""" "from":{"wa_id":"250788000001"} """)]
    [InlineData(""" "from":["250788000001"] """)]
    public void TryParse_FromEmptyOrNotAString_TreatedAsAbsent(string from)
    {
        var parsed = Parse(Messages($$"""
            "messages":[{ {{from}},"from_user_id":"{{Bsuid}}","id":"m1","type":"text"}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_RecipientIdNotAString_RecipientUserIdStandsIn()
    {
        var parsed = Parse(Messages($$"""
            "statuses":[{"id":"s1","status":"read","recipient_id":250788000001,"recipient_user_id":"{{Bsuid}}"}]
            """));

        Assert.Equal(Bsuid, parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_NoUserIdAnywhere_ParsedWithNullKey()
    {
        var parsed = Parse(Messages("""
            "messages":[{"id":"m1","timestamp":"1","type":"text","text":{"body":"who am I"}}],
            "statuses":[{"id":"s1","status":"sent","timestamp":"1"}]
            """));

        Assert.Equal(2, parsed.Count);
        Assert.Equal([("m1", null), ("s1", null)], parsed.Updates.ToArray().Select(static u => (u.Id, u.UserKey)));
        Assert.Equal("who am I", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_GroupParticipantFields_NotUsedWhenRecipientIdIsThere()
    {
        var parsed = Parse(Messages("""
            "statuses":[{"id":"s1","status":"read","recipient_participant_user_id":"US.9","recipient_id":"120363000000000001@g.us","recipient_type":"group"}]
            """));

        Assert.Equal("120363000000000001@g.us", parsed[0].UserKey);
    }

    [Fact]
    public void TryParse_CorpusPayloadsWithBsuidContacts_PhoneStillWins()
    {
        // The corpus's BSUID-era payloads carry both wa_id and user_id; the phone number keeps the key stable.
        foreach (var file in new[] { "033-text.json", "024-interactive-button_reply.json", "056-status-sent.json", "075-request_welcome.json" })
        {
            Assert.Equal("972987654321", Parse(Corpus(file))[0].UserKey);
        }
    }
}
