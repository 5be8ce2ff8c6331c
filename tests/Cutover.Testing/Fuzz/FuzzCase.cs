namespace Cutover.Testing.Fuzz;

/// <summary>
/// One signed (or deliberately mis-signed) webhook POST made by <see cref="WebhookMutator"/>: reproducible from
/// (<see cref="Seed"/>, <see cref="Index"/>) alone.
/// </summary>
/// <param name="Origin">The seed payload: a corpus file name, or <c>batch(entries×changes, updates)</c>.</param>
/// <param name="Signatures">The <c>X-Hub-Signature-256</c> values to send: none, one, or two lines.</param>
/// <param name="SeedBody">The body before any mutation (for the report).</param>
public sealed record FuzzCase(
    int Seed,
    int Index,
    string Origin,
    IReadOnlyList<Mutation> Mutations,
    byte[] Body,
    IReadOnlyList<string> Signatures,
    FuzzExpectation Expectation,
    byte[] SeedBody)
{
    public string Describe() =>
        $"seed {Seed} #{Index} {Origin}: {(Mutations.Count == 0 ? "(unmutated)" : string.Join(" + ", Mutations))} -> expect {Expectation}";

    /// <summary>The mutation families, for counting (<c>id</c>, <c>id+duplicate</c>, …; <c>none</c> for an unmutated seed).</summary>
    public string Kinds => Mutations.Count == 0 ? "none" : string.Join('+', Mutations.Select(static m => m.Kind));
}
