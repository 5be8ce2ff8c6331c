using Cutover.Core.Routing;

namespace Cutover.Testing;

/// <summary>
/// A phone number and a BSUID for one person whose buckets lie on opposite sides of every percent from
/// <see cref="Low"/> to <see cref="High"/>: one bucket below the low threshold, the other at or above the high one. A test
/// that sees the person on one side whichever identifier they use then proves identity was applied, because either
/// identifier alone would have put them on the other side at each of those percents.
/// </summary>
public sealed record SplitIdentity(string Phone, string UserId, int PhoneBucket, int UserIdBucket)
{
    public const decimal Low = 10m;
    public const decimal High = 75m;

    /// <summary>Whether the phone's bucket is the low one (unified at every percent from <see cref="Low"/> up).</summary>
    public bool PhoneOnUnified => PhoneBucket < Bucketing.ThresholdOf(Low);

    /// <summary>The side the phone's bucket gives at any percent from <see cref="Low"/> to <see cref="High"/>.</summary>
    public string PhoneSide(string legacy) => PhoneOnUnified ? "unified" : legacy;

    /// <summary>The other side: where the BSUID alone would go.</summary>
    public string UserIdSide(string legacy) => PhoneOnUnified ? legacy : "unified";

    /// <summary>
    /// The <paramref name="skip"/>-th pair with the phone on unified (or on legacy) under <paramref name="bucketing"/>;
    /// distinct <paramref name="skip"/> values give distinct persons.
    /// </summary>
    public static SplitIdentity Find(Bucketing bucketing, bool phoneOnUnified, int skip = 0, string phonePrefix = "2507")
    {
        var low = Bucketing.ThresholdOf(Low);
        var high = Bucketing.ThresholdOf(High);
        bool IsLow(int bucket) => bucket < low;
        bool IsHigh(int bucket) => bucket >= high;

        var phone = Enumerable.Range(0, 1_000_000).Select(i => $"{phonePrefix}{i:D8}")
            .Where(p => phoneOnUnified ? IsLow(bucketing.BucketOf(p)) : IsHigh(bucketing.BucketOf(p))).Skip(skip).First();
        var userId = Enumerable.Range(0, 1_000_000).Select(static i => $"US.{13491208655302741918UL + (ulong)i}")
            .Where(u => phoneOnUnified ? IsHigh(bucketing.BucketOf(u)) : IsLow(bucketing.BucketOf(u))).Skip(skip).First();
        return new SplitIdentity(phone, userId, bucketing.BucketOf(phone), bucketing.BucketOf(userId));
    }

    /// <summary>A phone number on the other side from <paramref name="bucket"/> at every percent from Low to High.</summary>
    public static string OppositePhone(Bucketing bucketing, int bucket, int skip = 0, string phonePrefix = "2508")
    {
        var low = Bucketing.ThresholdOf(Low);
        var high = Bucketing.ThresholdOf(High);
        if (bucket >= low && bucket < high)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), bucket, "a bucket between the thresholds has no side at every percent");
        }

        return Enumerable.Range(0, 1_000_000).Select(i => $"{phonePrefix}{i:D8}")
            .Where(p => bucket < low ? bucketing.BucketOf(p) >= high : bucketing.BucketOf(p) < low).Skip(skip).First();
    }
}
