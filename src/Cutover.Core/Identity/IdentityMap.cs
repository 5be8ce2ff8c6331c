using Cutover.Core.Collections;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Identity;

/// <summary>
/// Who is who: every identifier Cutover has seen (phone number, BSUID, parent BSUID, a number changed to) mapped to the
/// person it belongs to, so that one person keeps one bucket whatever identifier an update names them by.
/// </summary>
/// <remarks>
/// <para>The rules. A person is fixed by the identifier seen first, and keeps its bucket. An update that names several
/// identifiers links them: unknown ones join the person of a known one; when none is known, the person is keyed by the
/// phone number (the key routing used before identities existed, so nobody moves on upgrade). When the identifiers of
/// one update belong to two persons already, the one seen first wins and the update's identifiers move to it. A
/// <c>system</c> change of number or user id maps the new identifier to the person.</para>
/// <para>The request path never waits on the store: lookups are lock-free reads of a bounded map; learning (a first
/// sighting, a new link) takes a lock and hands the link to <c>learned</c>, which stores and shares it behind the
/// request. Entries from other instances (or from the store at start-up) are kept under their stored (protected) form
/// and looked up, only on a local miss, by protecting the identifier once.</para>
/// </remarks>
public sealed class IdentityMap
{
    private readonly RecentMap<Person> _local;
    private readonly RecentMap<Person> _remote;
    private readonly Func<string, string>? _protect;
    private readonly Action<IdentityLink>? _learned;
    private readonly Lock _learnLock = new();
    private readonly IdentityMap? _under;

    /// <param name="capacity">How many identifiers are held at most, here and again for other instances' entries.</param>
    /// <param name="protect">How the store keeps an identifier (the decision log's keyed hash); null when it keeps them raw.</param>
    /// <param name="learned">Receives every identifier learned, to store and share; called under the learning lock, must not block.</param>
    public IdentityMap(int capacity, Func<string, string>? protect = null, Action<IdentityLink>? learned = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _local = new RecentMap<Person>(capacity);
        _remote = new RecentMap<Person>(capacity);
        _protect = protect;
        _learned = learned;
    }

    /// <summary>
    /// A scratch map over <paramref name="under"/>: it reads what <paramref name="under"/> knows and keeps what it learns to
    /// itself, so explaining a payload follows the links inside it without changing what the router knows.
    /// </summary>
    public static IdentityMap Over(IdentityMap under) => new(under);

    private IdentityMap(IdentityMap under)
        : this(1_024)
    {
        _under = under;
    }

    /// <summary>Identifiers held for this instance's own lookups (a person with two identifiers counts twice).</summary>
    public int Count => _local.Count;

    /// <summary>Identifiers held from the store or other instances, under their stored form.</summary>
    public int RemoteCount => _remote.Count;

    /// <summary>The person of <paramref name="identifier"/>, if known here or from the store; null otherwise.</summary>
    public Person? Find(string identifier)
    {
        if (_local.TryGet(identifier, out var person))
        {
            return person;
        }

        if (_under is not null)
        {
            return _under.Find(identifier);
        }

        if (_remote.Count == 0)
        {
            return null;
        }

        var stored = _protect is null ? identifier : _protect(identifier);
        if (!_remote.TryGet(stored, out person))
        {
            return null;
        }

        // Known from now on under the raw identifier, so the next update of this person costs no hash.
        lock (_learnLock)
        {
            person.Add(identifier);
            _local.Set(identifier, person);
        }

        return person;
    }

    /// <summary>
    /// The person of <paramref name="update"/>, learning what it teaches (a new person, a link); to answer without
    /// changing what the router knows (explain), resolve through <see cref="Over"/>.
    /// </summary>
    public IdentityMatch Resolve(in WebhookUpdate update, Bucketing bucketing, DateTimeOffset now)
    {
        var key = update.UserKey;
        if (key is null)
        {
            return IdentityMatch.None;
        }

        var userId = Other(update.UserId, key, null);
        var parent = Other(update.ParentUserId, key, userId);
        var changedTo = Other(update.NewUserKey, key, null);

        // The common case, lock-free: one identifier, or several that already name one person.
        var person = Find(key);
        if (person is not null
            && (userId is null || ReferenceEquals(Find(userId), person))
            && (parent is null || ReferenceEquals(Find(parent), person))
            && (changedTo is null || ReferenceEquals(Find(changedTo), person)))
        {
            return Match(person, key, key);
        }

        if (person is null && userId is null && parent is null && changedTo is null)
        {
            return new IdentityMatch(Learn(key, bucketing, now), null);
        }

        return LinkMany(key, userId, parent, changedTo, bucketing, now);
    }

    /// <summary>
    /// Records an entry from the store (another instance, or this one before a restart): <paramref name="stored"/> belongs
    /// to the person stored as <paramref name="storedPerson"/>. A raw form, when the caller knows it (it wrote it),
    /// makes the entry a local one.
    /// </summary>
    public void Apply(string stored, string? raw, string storedPerson, string? rawPerson, int bucket, DateTimeOffset firstSeen)
    {
        lock (_learnLock)
        {
            var person = (rawPerson is not null ? FindLocked(rawPerson) : null) ?? FindStored(storedPerson);
            if (person is null)
            {
                var key = rawPerson ?? (_protect is null ? storedPerson : WebhookIds.ProtectedPrefix + storedPerson);
                person = new Person(key, bucket, firstSeen, rawPerson);
                _remote.Set(storedPerson, person);
                if (rawPerson is not null)
                {
                    _local.Set(rawPerson, person);
                }
            }

            // An identifier claimed by two persons stays with the one seen first, as the store keeps it.
            var held = raw is not null ? FindLocked(raw) : FindStored(stored);
            if (held is not null && !ReferenceEquals(held, person) && held.FirstSeen < person.FirstSeen)
            {
                return;
            }

            if (raw is not null)
            {
                person.Add(raw);
                _local.Set(raw, person);
            }
            else
            {
                _remote.Set(stored, person);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="identifier"/> is the first identifier of <paramref name="person"/> when the person is known
    /// here only by its stored form (learned from another instance): an operator's override names the raw identifier.
    /// </summary>
    public bool IsFirstIdentifierOf(Person person, string identifier) =>
        _protect is not null
        && person.Key.StartsWith(WebhookIds.ProtectedPrefix, StringComparison.Ordinal)
        && person.Key.AsSpan(WebhookIds.ProtectedPrefix.Length).SequenceEqual(_protect(identifier));

    private Person? FindStored(string stored) => _remote.TryGet(stored, out var person) ? person : null;

    private Person? FindLocked(string identifier) => _local.TryGet(identifier, out var person) ? person : null;

    private static string? Other(string? identifier, string key, string? other) =>
        identifier is null || string.Equals(identifier, key, StringComparison.Ordinal) || string.Equals(identifier, other, StringComparison.Ordinal)
            ? null
            : identifier;

    private static Person New(string key, Bucketing bucketing, DateTimeOffset now) => new(key, bucketing.BucketOf(key), now, key);

    private Person Learn(string key, Bucketing bucketing, DateTimeOffset now)
    {
        lock (_learnLock)
        {
            // Another request may have learned this identifier since the lock-free look.
            if (Find(key) is { } known)
            {
                return known;
            }

            var person = New(key, bucketing, now);
            LinkLocked(key, person);
            return person;
        }
    }

    private IdentityMatch LinkMany(
        string key, string? userId, string? parent, string? changedTo, Bucketing bucketing, DateTimeOffset now)
    {
        lock (_learnLock)
        {
            // The identifiers that name the person now, the key (the phone number when there is one) first.
            var ids = new IdentifierList(key, userId, parent);
            Person? winner = null;
            var via = key;
            for (var i = 0; i < ids.Count; i++)
            {
                if (Find(ids[i]) is { } found && (winner is null || found.FirstSeen < winner.FirstSeen))
                {
                    winner = found;
                    via = ids[i];
                }
            }

            // None known: a new person, keyed by the update's key (the phone number when there is one).
            winner ??= New(key, bucketing, now);
            for (var i = 0; i < ids.Count; i++)
            {
                LinkLocked(ids[i], winner);
            }

            // A change of number or user id: the new identifier is the same person from now on, whoever had it before.
            if (changedTo is not null)
            {
                LinkLocked(changedTo, winner);
            }

            return Match(winner, key, via);
        }
    }

    /// <summary>The match, naming the identifier that led to the person when the person was first seen by another.</summary>
    private static IdentityMatch Match(Person person, string key, string via) =>
        new(person, string.Equals(person.Key, key, StringComparison.Ordinal) ? null : via);

    private void LinkLocked(string identifier, Person person)
    {
        if (ReferenceEquals(Find(identifier), person))
        {
            return;
        }

        // A scratch map must not change a person it only reads (the router's own).
        if (_under is null)
        {
            person.Add(identifier);
        }

        _local.Set(identifier, person);

        // The person's own first sighting, not the link's: the store keeps, for an identifier, the person seen first.
        _learned?.Invoke(new IdentityLink(identifier, person.Key, person.Bucket, person.FirstSeen));
    }

    /// <summary>Up to three identifiers without a list.</summary>
    private readonly ref struct IdentifierList(string first, string? second, string? third)
    {
        public int Count { get; } = 1 + (second is null ? 0 : 1) + (third is null ? 0 : 1);

        public string this[int index] => index switch
        {
            0 => first,
            1 => second ?? third!,
            _ => third!,
        };
    }
}
