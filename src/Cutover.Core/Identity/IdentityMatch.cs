namespace Cutover.Core.Identity;

/// <summary>
/// The person an update belongs to: their key and bucket, and how they were found.
/// </summary>
/// <param name="Person">The person; null when the update names nobody.</param>
/// <param name="Via">The identifier of the update that led to the person when the person was first seen by another
/// (a BSUID that maps to the person first seen by phone); null when the update's own key is the person's.</param>
public readonly record struct IdentityMatch(Person? Person, string? Via)
{
    public static IdentityMatch None => default;

    /// <summary>The person's key, or null.</summary>
    public string? Key => Person?.Key;

    /// <summary>The person's bucket, or -1 without a person.</summary>
    public int Bucket => Person?.Bucket ?? -1;
}
