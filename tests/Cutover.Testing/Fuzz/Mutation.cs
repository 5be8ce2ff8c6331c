namespace Cutover.Testing.Fuzz;

/// <summary>
/// One mutation applied to a seed payload: its family (<c>id</c>, <c>duplicate</c>, <c>invalid_utf8</c>, …), the
/// variant, where in the document (a JSON path, or a byte offset for byte-level mutations), what Cutover must answer
/// because of it, and how to find it in the body: a short text, or the byte offset of a byte-level mutation.
/// </summary>
public sealed record Mutation(string Kind, string Variant, string Where, FuzzExpectation Expectation, string? Needle = null, int? At = null)
{
    public override string ToString() => $"{Kind}:{Variant}@{Where}";
}
