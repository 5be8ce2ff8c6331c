namespace Cutover.Core.Identity;

/// <summary>
/// What the identity map learned, to be stored and shared: <paramref name="Identifier"/> belongs to the person first
/// seen as <paramref name="PersonKey"/> (the same string for the person's own first identifier) at
/// <paramref name="FirstSeen"/>. Raw here; the store keeps both protected as the decision log keeps user keys.
/// </summary>
public readonly record struct IdentityLink(string Identifier, string PersonKey, int Bucket, DateTimeOffset FirstSeen);
