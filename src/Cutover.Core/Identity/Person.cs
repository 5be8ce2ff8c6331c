namespace Cutover.Core.Identity;

/// <summary>
/// One person as routing knows them: the identifier Cutover saw first (<see cref="Key"/>), the bucket it gives, and
/// every identifier learned for them since. Every identifier of a person maps to this one object, so they share a
/// bucket, a conversation and overrides.
/// </summary>
public sealed class Person
{
    private volatile string[] _identifiers;

    internal Person(string key, int bucket, DateTimeOffset firstSeen, string? rawKey)
    {
        Key = key;
        Bucket = bucket;
        FirstSeen = firstSeen;
        _identifiers = rawKey is null ? [] : [rawKey];
    }

    /// <summary>
    /// The identifier first seen, raw; or, for a person learned from another instance whose first identifier this
    /// instance never saw, its stored form behind <see cref="Webhooks.WebhookIds.ProtectedPrefix"/>.
    /// </summary>
    public string Key { get; }

    /// <summary>The bucket of <see cref="Key"/>, fixed for the person whatever identifier they use later.</summary>
    public int Bucket { get; }

    public DateTimeOffset FirstSeen { get; }

    /// <summary>The raw identifiers this instance has seen for the person, first seen first.</summary>
    public IReadOnlyList<string> Identifiers => _identifiers;

    /// <summary>Adds an identifier; called under the map's lock, so writers never race (readers see one array or the next).</summary>
    internal void Add(string identifier)
    {
        var current = _identifiers;
        if (Array.IndexOf(current, identifier) >= 0)
        {
            return;
        }

        // A person has a handful of identifiers; a hostile stream of changes must not grow one without end.
        if (current.Length >= MaxIdentifiers)
        {
            return;
        }

        _identifiers = [.. current, identifier];
    }

    /// <summary>The most identifiers kept per person (phone, BSUID, parent BSUID, and a few changes of number).</summary>
    public const int MaxIdentifiers = 8;
}
