using System.Security.Cryptography;
using System.Text;
using Cutover.Core.Privacy;

namespace Cutover.Core.Tests.Privacy;

public sealed class UserKeyHasherTests
{
    private static readonly byte[] Key = "0123456789abcdef0123456789abcdef"u8.ToArray();

    private static string Expected(string userKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(userKey))[..16]);

    [Fact]
    public void Protect_IsTheFirst128BitsOfTheHmac_CachedOrNot()
    {
        var cached = UserKeyHasher.Keyed(Key);
        var uncached = UserKeyHasher.Keyed(Key, cacheCapacity: 0);

        foreach (var user in new[] { "16505551234", "16505551234", "CH.user-id.1", "éà", "16505551234" })
        {
            Assert.Equal(Expected(user), cached.Protect(user));
            Assert.Equal(Expected(user), uncached.Protect(user));
        }

        Assert.Equal(0, uncached.CachedCount);
        Assert.Equal(3, cached.CachedCount);
    }

    [Fact]
    public void Protect_RepeatedUser_ReturnsTheCachedString()
    {
        var hasher = UserKeyHasher.Keyed(Key);

        Assert.Same(hasher.Protect("16505551234"), hasher.Protect("16505551234"));
    }

    [Fact]
    public void Cache_IsBounded_AndStillRightAfterRotations()
    {
        var hasher = UserKeyHasher.Keyed(Key, cacheCapacity: 100);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                var user = "2507" + i;
                Assert.Equal(Expected(user), hasher.Protect(user));
                Assert.True(hasher.CachedCount <= 100, $"{hasher.CachedCount} keys held");
            }
        }
    }

    [Fact]
    public void Cache_RecentUserSurvivesARotation()
    {
        var hasher = UserKeyHasher.Keyed(Key, cacheCapacity: 4);
        var first = hasher.Protect("a");
        hasher.Protect("b");          // the generation of two is full: it becomes the previous one
        Assert.Same(first, hasher.Protect("a")); // found in the previous generation, copied forward
    }

    [Fact]
    public void Protect_ManyThreads_AgreeWithTheHmac()
    {
        var hasher = UserKeyHasher.Keyed(Key, cacheCapacity: 64);
        Parallel.For(0, 20_000, i =>
        {
            var user = "2507" + (i % 300);
            Assert.Equal(Expected(user), hasher.Protect(user));
        });
        Assert.True(hasher.CachedCount <= 128, $"{hasher.CachedCount} keys held");
    }

    [Fact]
    public void Raw_KeepsKeysAsTheyAre()
    {
        Assert.Equal("16505551234", UserKeyHasher.Raw.Protect("16505551234"));
        Assert.Null(UserKeyHasher.Keyed(Key).Protect(null));
    }

    [Fact]
    public void ProtectMessageId_IsTheHmacUnderTheDerivedKey_StableAndShort()
    {
        // The documented recipe, computed independently: message id key = HMAC(key, "cutover:message-id").
        var messageIdKey = HMACSHA256.HashData(Key, "cutover:message-id"u8);
        const string Wamid = "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
        var hasher = UserKeyHasher.Keyed(Key);

        var stored = hasher.ProtectMessageId(Wamid);

        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(messageIdKey, Encoding.UTF8.GetBytes(Wamid))[..16]), stored);
        Assert.Matches("^[0-9a-f]{32}$", stored);
        Assert.Equal(stored, hasher.ProtectMessageId(Wamid));
        Assert.Equal(stored, UserKeyHasher.Keyed(Key).ProtectMessageId(Wamid));
        Assert.NotEqual(stored, UserKeyHasher.Keyed("another key of 32 bytes........."u8).ProtectMessageId(Wamid));
        Assert.Null(hasher.ProtectMessageId(null));
    }

    [Theory]
    [InlineData("16505551234")]
    [InlineData("wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")]
    [InlineData("")]
    public void ProtectMessageId_NeverTheUserKeyHashOfTheSameString(string value)
    {
        var hasher = UserKeyHasher.Keyed(Key);

        Assert.NotEqual(hasher.Protect(value), hasher.ProtectMessageId(value));
    }

    [Fact]
    public void ProtectMessageId_Raw_KeepsIdsAsTheyAre()
    {
        Assert.Equal("wamid.X", UserKeyHasher.Raw.ProtectMessageId("wamid.X"));
    }
}
