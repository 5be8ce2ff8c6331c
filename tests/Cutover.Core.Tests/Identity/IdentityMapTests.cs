using Cutover.Core.Identity;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Identity;

/// <summary>
/// Who is who (issue 15): a person is fixed by the identifier seen first and keeps its bucket; identifiers an update
/// names together are linked; what is learned is handed out to be stored; entries from the store are found by
/// protecting the identifier once.
/// </summary>
public sealed class IdentityMapTests
{
    private const string Phone = "250788000001";
    private const string Bsuid = "US.13491208655302741918";
    private const string ParentBsuid = "US.ENT.11815799212886844830";

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Bucketing Buckets = new("test-salt");

    private readonly List<IdentityLink> _learned = [];

    [Fact]
    public void Resolve_FirstSightingOfOneIdentifier_PersonKeyedByItWithItsBucket()
    {
        var map = Map();

        var match = map.Resolve(Update(Bsuid), Buckets, T0);

        Assert.Equal((Bsuid, Buckets.BucketOf(Bsuid), T0, (string?)null), (match.Key, match.Bucket, match.Person!.FirstSeen, match.Via));
        Assert.Same(match.Person, map.Find(Bsuid));
        Assert.Equal(1, map.Count);
    }

    [Fact]
    public void Resolve_NoIdentifier_NoPerson()
    {
        var map = Map();

        var match = map.Resolve(Update(null), Buckets, T0);

        Assert.Equal((null, -1), (match.Person, match.Bucket));
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void Resolve_PhoneAndBsuidFirstSeenTogether_KeyedByPhone()
    {
        // The phone is the key routing used before identities existed: keying by it moves nobody on upgrade.
        var map = Map();

        var match = map.Resolve(Update(Phone, Bsuid, ParentBsuid), Buckets, T0);

        Assert.Equal((Phone, Buckets.BucketOf(Phone)), (match.Key, match.Bucket));
        Assert.Same(match.Person, map.Find(Bsuid));
        Assert.Same(match.Person, map.Find(ParentBsuid));
        Assert.Equal([Phone, Bsuid, ParentBsuid], match.Person!.Identifiers);
    }

    [Fact]
    public void Resolve_BsuidSeenAloneFirstThenWithPhone_PersonStaysKeyedByBsuid()
    {
        var map = Map();
        var first = map.Resolve(Update(Bsuid), Buckets, T0);

        var second = map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddMinutes(1));

        Assert.Same(first.Person, second.Person);
        Assert.Equal((Bsuid, Buckets.BucketOf(Bsuid), Bsuid), (second.Key, second.Bucket, second.Via));
        Assert.Same(first.Person, map.Find(Phone));
    }

    [Fact]
    public void Resolve_UpdateLinksTwoKnownPersons_EarlierFirstSeenWinsViaItsIdentifier()
    {
        var map = Map();
        var byBsuid = map.Resolve(Update(Bsuid), Buckets, T0).Person;
        var byPhone = map.Resolve(Update(Phone), Buckets, T0.AddHours(1)).Person;

        var linked = map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddHours(2));

        Assert.NotSame(byBsuid, byPhone);
        Assert.Same(byBsuid, linked.Person);
        Assert.Equal((Bsuid, Bsuid), (linked.Key, linked.Via));
        Assert.Same(byBsuid, map.Find(Phone));
    }

    [Fact]
    public void Resolve_UpdateLinksTwoKnownPersons_PhoneSeenFirstWinsWithoutVia()
    {
        var map = Map();
        var byPhone = map.Resolve(Update(Phone), Buckets, T0).Person;
        map.Resolve(Update(Bsuid), Buckets, T0.AddHours(1));

        var linked = map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddHours(2));

        Assert.Same(byPhone, linked.Person);
        Assert.Null(linked.Via);
        Assert.Same(byPhone, map.Find(Bsuid));
    }

    [Fact]
    public void Resolve_NewUserKey_MapsTheNewIdentifierToThePerson()
    {
        var map = Map();
        var person = map.Resolve(Update("972987654321"), Buckets, T0).Person;

        var changed = map.Resolve(Update("972987654321", newKey: "972912345678"), Buckets, T0.AddDays(1));

        Assert.Same(person, changed.Person);
        Assert.Same(person, map.Find("972912345678"));
        Assert.Equal(Buckets.BucketOf("972987654321"), map.Resolve(Update("972912345678"), Buckets, T0.AddDays(2)).Bucket);
    }

    [Fact]
    public void Resolve_NewUserKeyAlreadyAnotherPerson_MovesToTheChangingPerson()
    {
        // A number changed to belongs to whoever changed to it, even if someone else used it before.
        var map = Map();
        var person = map.Resolve(Update("972987654321"), Buckets, T0).Person;
        map.Resolve(Update("972912345678"), Buckets, T0.AddHours(1));

        map.Resolve(Update("972987654321", newKey: "972912345678"), Buckets, T0.AddDays(1));

        Assert.Same(person, map.Find("972912345678"));
    }

    [Fact]
    public void Resolve_ThroughAScratchMap_OneIdentifier_SameAnswerNothingRemembered()
    {
        var map = Map();

        var match = IdentityMap.Over(map).Resolve(Update(Phone), Buckets, T0);

        Assert.Equal((Phone, Buckets.BucketOf(Phone)), (match.Key, match.Bucket));
        Assert.Equal(0, map.Count);
        Assert.Null(map.Find(Phone));
        Assert.Empty(_learned);
    }

    [Fact]
    public void Resolve_ThroughAScratchMap_SeveralIdentifiers_NoLinkRemembered()
    {
        var map = Map();
        map.Resolve(Update(Bsuid), Buckets, T0);
        _learned.Clear();

        var match = IdentityMap.Over(map).Resolve(Update(Phone, Bsuid, ParentBsuid, newKey: "250788000002"), Buckets, T0.AddMinutes(1));

        Assert.Equal((Bsuid, Bsuid), (match.Key, match.Via));
        Assert.Equal(1, map.Count);
        Assert.Null(map.Find(Phone));
        Assert.Null(map.Find(ParentBsuid));
        Assert.Null(map.Find("250788000002"));
        Assert.Equal([Bsuid], match.Person!.Identifiers);
        Assert.Empty(_learned);
    }

    [Fact]
    public void Resolve_NewPerson_LearnedReceivesTheSelfLink()
    {
        var map = Map();

        var match = map.Resolve(Update(Phone), Buckets, T0);

        Assert.Equal([new IdentityLink(Phone, Phone, match.Bucket, T0)], _learned);
    }

    [Fact]
    public void Resolve_NewPersonWithAliases_LearnedReceivesSelfLinkThenOnePerAlias()
    {
        var map = Map();

        var match = map.Resolve(Update(Phone, Bsuid, ParentBsuid), Buckets, T0);

        var bucket = match.Bucket;
        Assert.Equal(
            [new IdentityLink(Phone, Phone, bucket, T0), new IdentityLink(Bsuid, Phone, bucket, T0), new IdentityLink(ParentBsuid, Phone, bucket, T0)],
            _learned);
    }

    [Fact]
    public void Resolve_KnownLinksAgain_LearnsNothingMore()
    {
        var map = Map();
        map.Resolve(Update(Phone, Bsuid), Buckets, T0);
        _learned.Clear();

        map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddMinutes(1));
        map.Resolve(Update(Bsuid), Buckets, T0.AddMinutes(2));

        Assert.Empty(_learned);
    }

    [Fact]
    public void Resolve_NewAliasOfKnownPerson_LearnedReceivesOnlyTheAlias()
    {
        var map = Map();
        var match = map.Resolve(Update(Bsuid), Buckets, T0);
        _learned.Clear();

        map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddMinutes(5));

        // The link carries the person's first sighting (T0), not its own time: the store keeps the person seen first.
        Assert.Equal([new IdentityLink(Phone, Bsuid, match.Bucket, T0)], _learned);
    }

    [Fact]
    public void Apply_StoredEntriesWithUnknownRawPerson_FindHashesOnceAndKeyIsProtected()
    {
        var hashed = new List<string>();
        var map = new IdentityMap(64, protect: s =>
        {
            hashed.Add(s);
            return "H" + s;
        });
        map.Apply("H" + Bsuid, raw: null, storedPerson: "H" + Phone, rawPerson: null, bucket: 1234, firstSeen: T0);

        var found = map.Find(Bsuid);
        var again = map.Find(Bsuid);

        Assert.NotNull(found);
        Assert.Same(found, again);
        Assert.Equal((WebhookIds.ProtectedPrefix + "H" + Phone, 1234, T0), (found.Key, found.Bucket, found.FirstSeen));
        Assert.Equal([Bsuid], hashed);
        Assert.Equal([Bsuid], found.Identifiers);
    }

    [Fact]
    public void Apply_AnEntryForAPersonSeenLater_DoesNotTakeAnIdentifierFromThePersonSeenFirst()
    {
        var map = new IdentityMap(64, protect: static s => "H" + s);
        var phoneFirst = map.Resolve(Update(Phone, Bsuid), Buckets, T0).Person!;

        // Another instance saw the BSUID alone a minute later and stored it as a person of its own.
        map.Apply("H" + Bsuid, raw: Bsuid, storedPerson: "H" + Bsuid, rawPerson: null, bucket: 7, firstSeen: T0.AddMinutes(1));
        Assert.Same(phoneFirst, map.Find(Bsuid));

        // The other way round: a person seen before the phone's claims the BSUID, and gets it.
        map.Apply("H" + Bsuid, raw: Bsuid, storedPerson: "H250788999002", rawPerson: null, bucket: 8, firstSeen: T0.AddDays(-1));
        Assert.Equal((8, WebhookIds.ProtectedPrefix + "H250788999002"), (map.Find(Bsuid)!.Bucket, map.Find(Bsuid)!.Key));
    }

    [Fact]
    public void PinOf_PersonKnownOnlyInStoredForm_FindsTheOverrideOnTheirFirstIdentifier()
    {
        var map = new IdentityMap(64, protect: static s => "H" + s);
        map.Apply("H" + Bsuid, raw: null, storedPerson: "H" + Phone, rawPerson: null, bucket: 1234, firstSeen: T0);
        var person = map.Find(Bsuid)!;
        var pinned = new UserOverride(Route.Unified, null, "alice", "tester", T0);
        var state = RoutingState.Initial(["jobs"], T0) with
        {
            Overrides = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [new KeyValuePair<string, UserOverride>("250788999001", new UserOverride(Route.Legacy, null, "bob", "other", T0)),
                 new KeyValuePair<string, UserOverride>(Phone, pinned)]),
        };

        // This instance never saw the phone raw: the override on it is found through its stored form.
        Assert.DoesNotContain(Phone, person.Identifiers);
        Assert.Same(pinned, Router.PinOf(person, state, map));
        Assert.Null(Router.PinOf(person, state with { Overrides = state.Overrides.Remove(Phone) }, map));
    }

    [Fact]
    public void Apply_StoredPersonKey_FindsThePersonByItsOwnIdentifierToo()
    {
        var map = new IdentityMap(64, protect: static s => "H" + s);
        map.Apply("H" + Bsuid, raw: null, storedPerson: "H" + Phone, rawPerson: null, bucket: 1234, firstSeen: T0);

        Assert.Same(map.Find(Bsuid), map.Find(Phone));
        Assert.Null(map.Find("250788999999"));
    }

    [Fact]
    public void Apply_RawPersonKnown_KeyIsRawAndStoredBucketWins()
    {
        // The bucket was fixed where the person was first seen: an instance must not recompute it from another identifier.
        var map = new IdentityMap(64, protect: static s => "H" + s);
        map.Apply("H" + Bsuid, raw: Bsuid, storedPerson: "H" + Phone, rawPerson: Phone, bucket: 42, firstSeen: T0);

        var match = map.Resolve(Update(Bsuid), Buckets, T0.AddHours(1));

        Assert.Equal((Phone, 42), (match.Key, match.Bucket));
        Assert.Same(match.Person, map.Find(Phone));
    }

    [Fact]
    public void Apply_StoredEntryThenUpdateWithNewAlias_LinksToTheStoredPerson()
    {
        var map = new IdentityMap(64, protect: static s => "H" + s);
        map.Apply("H" + Bsuid, raw: null, storedPerson: "H" + Bsuid, rawPerson: null, bucket: 77, firstSeen: T0);

        var match = map.Resolve(Update(Phone, Bsuid), Buckets, T0.AddHours(1));

        Assert.Equal((WebhookIds.ProtectedPrefix + "H" + Bsuid, 77, Bsuid), (match.Key, match.Bucket, match.Via));
        Assert.Same(match.Person, map.Find(Phone));
    }

    [Fact]
    public void Resolve_ManyMorePersonsThanCapacity_MapStaysBounded()
    {
        var map = new IdentityMap(4);

        for (var i = 0; i < 100; i++)
        {
            map.Resolve(Update($"2507880{i:D5}"), Buckets, T0.AddSeconds(i));
        }

        Assert.InRange(map.Count, 1, 4);
        Assert.Null(map.Find("250788000000"));
        Assert.NotNull(map.Find("250788000099"));
    }

    [Fact]
    public void Resolve_EndlessChangesOfNumber_IdentifiersCappedAtMax()
    {
        var map = Map();
        var person = map.Resolve(Update("2507880"), Buckets, T0).Person!;

        for (var i = 0; i < 3 * Person.MaxIdentifiers; i++)
        {
            map.Resolve(Update(i == 0 ? "2507880" : $"2507880{i - 1}", newKey: $"2507880{i}"), Buckets, T0.AddMinutes(i));
        }

        Assert.Equal(Person.MaxIdentifiers, person.Identifiers.Count);
        Assert.Equal("2507880", person.Identifiers[0]);
    }

    private IdentityMap Map() => new(1_024, learned: _learned.Add);

    private static WebhookUpdate Update(string? key, string? userId = null, string? parent = null, string? newKey = null) => new()
    {
        Kind = UpdateKind.Message,
        Field = WebhookParser.MessagesField,
        UserKey = key,
        UserId = userId,
        ParentUserId = parent,
        NewUserKey = newKey,
    };
}
