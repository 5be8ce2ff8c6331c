using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Routing;

public sealed class BucketingTests
{
    private static readonly Bucketing Buckets = new("test-salt");
    private static readonly string[] Users = [.. Enumerable.Range(0, 20_000).Select(static i => $"2507{i * 7919 % 100_000_000:D8}")];

    [Fact]
    public void BucketOf_SameUser_SameBucketAcrossInstances()
    {
        var other = new Bucketing("test-salt");

        Assert.All(Users.Take(500), u => Assert.Equal(Buckets.BucketOf(u), other.BucketOf(u)));
    }

    [Fact]
    public void BucketOf_KnownValue_IsXxHash3OfSaltColonKeyModTenThousand()
    {
        var expected = (int)(System.IO.Hashing.XxHash3.HashToUInt64("test-salt:250788123456"u8) % 10_000);

        Assert.Equal(expected, Buckets.BucketOf("250788123456"));
    }

    [Fact]
    public void BucketOf_TwentyThousandUsersAt25Percent_UnifiedShareWithinOnePoint()
    {
        var threshold = Bucketing.ThresholdOf(25m);

        var share = Users.Count(u => Buckets.BucketOf(u) < threshold) / (double)Users.Length;

        Assert.InRange(share, 0.24, 0.26);
    }

    [Fact]
    public void BucketOf_RaisingTo50Percent_MovesNobodyBack()
    {
        var at25 = Users.Where(u => Buckets.BucketOf(u) < Bucketing.ThresholdOf(25m)).ToHashSet();
        var at50 = Users.Where(u => Buckets.BucketOf(u) < Bucketing.ThresholdOf(50m)).ToHashSet();

        Assert.Empty(at25.Except(at50));
        Assert.InRange(at50.Count / (double)Users.Length, 0.49, 0.51);
    }

    [Fact]
    public void BucketOf_OtherSalt_ReshufflesUsers()
    {
        var other = new Bucketing("another-salt");

        var same = Users.Take(1_000).Count(u => Buckets.BucketOf(u) == other.BucketOf(u));

        Assert.True(same < 10, $"{same} of 1000 users kept their bucket under another salt");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.01, 1)]
    [InlineData(25, 2_500)]
    [InlineData(33.33, 3_333)]
    [InlineData(100, 10_000)]
    public void ThresholdOf_Percent_IsBasisPoints(decimal percent, int threshold)
    {
        Assert.Equal(threshold, Bucketing.ThresholdOf(percent));
    }

    [Fact]
    public void BucketOf_LongAndUnicodeKeys_StayInRange()
    {
        Assert.InRange(Buckets.BucketOf(new string('9', 5_000)), 0, 9_999);
        Assert.InRange(Buckets.BucketOf("US.用户"), 0, 9_999);
    }
}
