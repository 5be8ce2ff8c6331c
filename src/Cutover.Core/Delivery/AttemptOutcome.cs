namespace Cutover.Core.Delivery;

/// <summary>What one delivery attempt says about the next: see <see cref="AttemptOutcomes.Of"/>.</summary>
public enum AttemptOutcome
{
    /// <summary>The upstream took it (2xx).</summary>
    Delivered = 0,

    /// <summary>The upstream may take it later: a transport error, a timeout, throttling or a 5xx.</summary>
    Retryable = 1,

    /// <summary>The upstream refused the request itself and would refuse it again: dead-letter now.</summary>
    Rejected = 2,

    /// <summary>The upstream will not take a request this large: dead-letter now, with a reason the operator can act on.</summary>
    TooLarge = 3,
}
