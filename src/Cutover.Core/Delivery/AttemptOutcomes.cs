namespace Cutover.Core.Delivery;

/// <summary>Classifies an attempt's result for <see cref="DeliveryPolicy"/>.</summary>
public static class AttemptOutcomes
{
    /// <summary>
    /// 2xx: delivered. No response (connection refused, timeout, reset): retryable, whatever the status says.
    /// 408, 425, 429 and 5xx: retryable, the upstream's trouble is passing. 413, 414, 431: too large. Every
    /// other code (1xx, 3xx, the rest of 4xx, and codes no standard defines): rejected, because an upstream that
    /// refuses this request will refuse it again; retrying only delays the dead letter the operator can replay.
    /// Redirects are off on the delivery client, so a 3xx means a misconfigured upstream address.
    /// </summary>
    /// <param name="statusCode">The response's status code; ignored when <paramref name="transportError"/> is set.</param>
    /// <param name="transportError">True when no response came back.</param>
    public static AttemptOutcome Of(int statusCode, bool transportError)
    {
        if (transportError)
        {
            return AttemptOutcome.Retryable;
        }

        // HttpClient accepts 100–999; anything else here is the caller's bug (a missing status, say), not the upstream's.
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        return statusCode switch
        {
            >= 200 and <= 299 => AttemptOutcome.Delivered,
            408 or 425 or 429 or (>= 500 and <= 599) => AttemptOutcome.Retryable,
            413 or 414 or 431 => AttemptOutcome.TooLarge,
            _ => AttemptOutcome.Rejected,
        };
    }
}
