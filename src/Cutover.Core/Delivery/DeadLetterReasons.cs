namespace Cutover.Core.Delivery;

/// <summary>Why a webhook went to the dead letters, as stored and as <c>cutover dlq list --reason</c> filters it.</summary>
public static class DeadLetterReasons
{
    /// <summary>Every attempt the schedule allows failed with a retryable outcome.</summary>
    public const string AttemptsExhausted = "attempts_exhausted";

    /// <summary>The next retry would come later than the schedule's max age after acceptance.</summary>
    public const string MaxAge = "max_age";

    /// <summary>The upstream refused the request (a 4xx, 3xx or 1xx it will answer again).</summary>
    public const string Rejected = "rejected";

    /// <summary>The upstream refused the request's size (413, 414, 431).</summary>
    public const string TooLarge = "too_large";

    /// <summary>The body was signed but could not be parsed: stored and acknowledged, then dead at once, with the parse error.</summary>
    public const string Unparseable = "unparseable";

    /// <summary>Every reason, the names a filter on them accepts.</summary>
    public static IReadOnlyList<string> All { get; } = [AttemptsExhausted, MaxAge, Rejected, TooLarge, Unparseable];
}
