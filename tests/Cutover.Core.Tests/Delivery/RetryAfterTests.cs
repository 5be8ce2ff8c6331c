using Cutover.Core.Delivery;

namespace Cutover.Core.Tests.Delivery;

public sealed class RetryAfterTests
{
    // A Monday.
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("120", 120)]
    [InlineData(" 120\t", 120)]
    [InlineData("007", 7)]
    [InlineData("86400", 86_400)]
    public void Parse_DeltaSeconds_ThatMany(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Parse(value, Now));
    }

    [Theory]
    [InlineData("86401")]
    [InlineData("31536000")]
    [InlineData("99999999999999999999999999")]
    public void Parse_DeltaSecondsOverADay_OneDay(string value)
    {
        Assert.Equal(TimeSpan.FromDays(1), RetryAfter.Parse(value, Now));
    }

    [Fact]
    public void Parse_DateInTheFuture_TimeUntilIt()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Parse("Mon, 07 Dec 2026 15:01:30 GMT", Now));
    }

    [Fact]
    public void Parse_DateInThePast_Zero()
    {
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse("Mon, 07 Dec 2026 14:00:00 GMT", Now));
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse("Sun, 06 Nov 1994 08:49:37 GMT", Now));
    }

    [Fact]
    public void Parse_DateMoreThanADayAhead_OneDay()
    {
        Assert.Equal(TimeSpan.FromDays(1), RetryAfter.Parse("Fri, 01 Jan 2027 00:00:00 GMT", Now));
    }

    [Fact]
    public void Parse_NowWithAnOffset_SameInstantSameWait()
    {
        var elsewhere = Now.ToOffset(TimeSpan.FromHours(-5));

        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Parse("Mon, 07 Dec 2026 15:01:30 GMT", elsewhere));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-5")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("120 s")]
    [InlineData("120, 60")]
    [InlineData("soon")]
    [InlineData("١٢٠")] // Arabic-Indic digits: not ASCII digits, not delta-seconds.
    [InlineData("Mon, 07 Dec 2026 15:01:30")] // no GMT
    [InlineData("Mon, 07 Dec 2026 15:01:30 +0000")]
    [InlineData("Tue, 07 Dec 2026 15:01:30 GMT")] // the weekday does not fit the date
    [InlineData("2026-12-07T15:01:30Z")]
    [InlineData("Monday, 07-Dec-26 15:01:30 GMT")] // RFC 850, obsolete and not read
    public void Parse_Garbage_Null(string? value)
    {
        Assert.Null(RetryAfter.Parse(value, Now));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(200, false)]
    [InlineData(408, false)]
    [InlineData(500, false)]
    [InlineData(502, false)]
    [InlineData(301, false)]
    public void AppliesTo_OnlyThrottlingAndUnavailable(int status, bool applies)
    {
        Assert.Equal(applies, RetryAfter.AppliesTo(status));
    }
}
