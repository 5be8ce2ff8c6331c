using System.Globalization;

namespace Cutover.Core.Delivery;

/// <summary>
/// Reads an upstream's <c>Retry-After</c> header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Queued
/// delivery honours it on 429 and 503 only (<see cref="AppliesTo"/>); <see cref="DeliveryPolicy"/> then
/// waits at least that long, up to the schedule's cap.
/// </summary>
public static class RetryAfter
{
    /// <summary>
    /// The longest wait a header can ask for. An upstream asking for more is either confused or down for longer
    /// than a retry should plan for; a day is as far as we believe it.
    /// </summary>
    public static TimeSpan Longest { get; } = TimeSpan.FromDays(1);

    /// <summary>Whether a response with this status code may carry a Retry-After that delivery honours: 429 and 503.</summary>
    public static bool AppliesTo(int statusCode) => statusCode is 429 or 503;

    /// <summary>
    /// The wait the header asks for, at most <see cref="Longest"/>: zero for an HTTP-date already past, null when
    /// the value is missing or is neither a non-negative integer nor an IMF-fixdate
    /// (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>). The obsolete RFC 850 and asctime date forms are not read: no
    /// current server sends them, and a header we cannot read leaves the jittered backoff in charge.
    /// </summary>
    /// <param name="value">The header's value as received.</param>
    /// <param name="now">The time the response arrived, against which a date is measured.</param>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }

        // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
        var text = value.AsSpan().Trim(" \t");
        if (text.IsEmpty)
        {
            return null;
        }

        if (!text.ContainsAnyExceptInRange('0', '9'))
        {
            // Only ASCII digits: delta-seconds. A number too large for a long is still a (silly) valid value.
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= (long)Longest.TotalSeconds
                ? TimeSpan.FromSeconds(seconds)
                : Longest;
        }

        // "r" is the invariant RFC 1123 pattern with a literal GMT; it also checks that the weekday fits the date.
        if (DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - now;
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait > Longest ? Longest : wait;
        }

        return null;
    }
}
