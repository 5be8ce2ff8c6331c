using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Routing;

public sealed class ReasonTextTests
{
    private const string Missing = "a reason is required";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t ")]
    public void Check_MissingWhereRequired_ReasonRequiredWithTheCallersSentence(string? reason)
    {
        var problem = ReasonText.Check(reason, Missing);

        Assert.Equal(new ReasonProblem(ChangeError.ReasonRequired, Missing), problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public void Check_MissingWhereOptional_Accepted(string? reason) => Assert.Null(ReasonText.Check(reason, missing: null));

    [Fact]
    public void Check_ExactlyTheLimitAfterTrimming_Accepted()
    {
        var reason = "  " + new string('x', ReasonText.MaxLength) + "  ";

        Assert.Null(ReasonText.Check(reason, Missing));
    }

    [Fact]
    public void Check_OneOverTheLimit_RefusedNamingLengthAndLimit()
    {
        var problem = ReasonText.Check(new string('x', ReasonText.MaxLength + 1), Missing);

        Assert.Equal(ChangeError.InvalidReason, problem!.Error);
        Assert.Contains("1,001 characters", problem.Message);
        Assert.Contains("the limit is 1,000", problem.Message);
    }

    [Fact]
    public void Check_TenMegabytes_RefusedWithoutQuotingIt()
    {
        var problem = ReasonText.Check(new string('x', 10 * 1024 * 1024), Missing);

        Assert.Equal(ChangeError.InvalidReason, problem!.Error);
        Assert.True(problem.Message.Length < 300, problem.Message);
    }

    [Theory]
    [InlineData("rollback\r\nforged line", "a control character (U+000D) at position 9")]
    [InlineData("x\u001b]0;title\u0007", "a control character (U+001B) at position 2")]
    [InlineData("nul\0byte", "a control character (U+0000) at position 4")]
    [InlineData("tab\there", "a control character (U+0009) at position 4")]
    [InlineData("c1 \u009b31m", "a control character (U+009B) at position 4")]
    [InlineData("abc\u202Edcba", "a bidirectional control character (U+202E) at position 4")]
    [InlineData("isolate \u2066x\u2069", "a bidirectional control character (U+2066) at position 9")]
    [InlineData("line\u2028break", "a line separator (U+2028) at position 5")]
    [InlineData("para\u2029break", "a paragraph separator (U+2029) at position 5")]
    [InlineData("trailing newline\n", "a control character (U+000A) at position 17")]
    public void Check_UnsafeCharacter_RefusedNamingItAndWhere(string reason, string expected)
    {
        var problem = ReasonText.Check(reason, Missing);

        Assert.Equal(ChangeError.InvalidReason, problem!.Error);
        Assert.Equal($"the reason has {expected}; write it on one line without control characters", problem.Message);
    }

    [Theory]
    [InlineData("week 6 day 3: 25% — unified p95 ok")]
    [InlineData("déploiement ✓ 🚀 (Kinyarwanda: inzu)")]
    [InlineData("RTL text שלום is fine without overrides")]
    public void Check_OrdinaryTextOfAnyScript_Accepted(string reason) => Assert.Null(ReasonText.Check(reason, Missing));

    [Fact]
    public void Fit_LongSystemReasonWithControlCharacters_PassesCheckAndSaysWhatWasCut()
    {
        var reason = "critical: handler 'evil\u001b[2J' failing; " + new string('x', 3_000);

        var fitted = ReasonText.Fit(reason);

        Assert.Null(ReasonText.Check(fitted, Missing));
        Assert.StartsWith("critical: handler 'evil [2J' failing; ", fitted);
        Assert.EndsWith($"({reason.Length - (ReasonText.MaxLength - 30)} characters cut)", fitted);
        Assert.True(fitted.Length <= ReasonText.MaxLength);
    }

    [Fact]
    public void Fit_ShortCleanReason_Unchanged() => Assert.Equal("critical at step 2", ReasonText.Fit("critical at step 2"));
}
