namespace Cutover.Testing.Fuzz;

/// <summary>
/// What Cutover must answer a mutated webhook, from what the mutation did to it. Ordered by precedence: the checks
/// run size, then signature, then parse, so a case with several mutations expects the highest.
/// </summary>
public enum FuzzExpectation
{
    /// <summary>Still a webhook Meta could send (odd values, unknown fields, another order): 200, every update delivered.</summary>
    Deliver,

    /// <summary>Odd in structure (types, repeated keys, deep nesting, huge ids): 400, or 200 with every update delivered.</summary>
    DeliverOrRefuse,

    /// <summary>Not JSON, or not UTF-8: 400.</summary>
    Refuse400,

    /// <summary>A signature header that is not exactly Meta's <c>sha256=</c> + lowercase hex of the body: 401.</summary>
    Refuse401,

    /// <summary>Larger than <c>Ingress:MaxBodyBytes</c>: 413.</summary>
    Refuse413,
}
