namespace Cutover.Store;

/// <summary>
/// One identifier of a person (phone number, BSUID, parent BSUID), shared between instances and kept across restarts so a
/// person keeps one bucket whatever identifier they use. <see cref="Identifier"/> and <see cref="Person"/> (the person's
/// first identifier) are protected as the decision log's user keys are; <see cref="Bucket"/> is the person's bucket
/// (it cannot be computed again from a protected key); <see cref="FirstSeen"/> is when the person was first seen (what
/// decides between two persons claiming one identifier); <see cref="Sequence"/> orders writes (0 when writing).
/// </summary>
public sealed record IdentityEntry(string Identifier, string Person, int Bucket, DateTimeOffset FirstSeen, string Instance, long Sequence = 0);
