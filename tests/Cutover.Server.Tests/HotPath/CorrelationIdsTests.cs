using System.Globalization;
using Cutover.Server.HotPath;

namespace Cutover.Server.Tests.HotPath;

/// <summary>Correlation ids are RFC 9562 version 7 UUIDs: time first, then random bits, unique.</summary>
public sealed class CorrelationIdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void Next_Is32LowercaseHexDigits_WithVersion7AndVariant10()
    {
        var id = CorrelationIds.Next(Now);

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal('7', id[12]);
        Assert.Contains(id[16], "89ab");
        var guid = Guid.ParseExact(id, "N");
        Assert.Equal(7, guid.Version);
    }

    [Fact]
    public void Next_StartsWithTheUnixTimeInMilliseconds_AsGuidCreateVersion7Does()
    {
        var id = CorrelationIds.Next(Now);

        var milliseconds = long.Parse(id.AsSpan(0, 12), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), milliseconds);
        Assert.Equal(Guid.CreateVersion7(Now).ToString("N")[..12], id[..12]);
    }

    [Fact]
    public void Next_WithinOneMillisecond_GivesDistinctIds()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(ids.Add(CorrelationIds.Next(Now)), $"id {i} repeated an earlier one");
        }
    }

    [Fact]
    public void Next_LaterTime_SortsAfter()
    {
        var earlier = CorrelationIds.Next(Now);
        var later = CorrelationIds.Next(Now.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(earlier, later) < 0, $"{earlier} should sort before {later}");
    }
}
