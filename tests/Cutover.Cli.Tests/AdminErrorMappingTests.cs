using System.Net;
using Cutover.Core.Errors;
using Cutover.Server.Admin;

namespace Cutover.Cli.Tests;

/// <summary>Each admin error is mapped once on each side: a case added without its status or exit code fails here.</summary>
public sealed class AdminErrorMappingTests
{
    public static TheoryData<AdminError> Errors => [.. AdminErrors.All];

    [Theory]
    [MemberData(nameof(Errors))]
    public void EveryError_HasAWireNameAStatusAndAnExitCode(AdminError error)
    {
        // act
        var name = error.WireName();
        var status = AdminResults.StatusOf(error);
        var exit = ExitCodes.Of(error);

        // assert
        Assert.NotEmpty(name);
        Assert.InRange(status, 400, 599);
        Assert.NotEqual(ExitCodes.Ok, exit);

        // the name alone, whatever status it came with, gives the same exit code
        Assert.Equal(exit, ExitCodes.OfRefusal(name, HttpStatusCode.Conflict));
    }

    [Fact]
    public void ExitCodes_AreTodaysForTodaysCases()
    {
        Assert.Equal(ExitCodes.NoPermission, ExitCodes.Of(AdminError.Unauthorized));
        Assert.Equal(ExitCodes.NoPermission, ExitCodes.Of(AdminError.Forbidden));
        Assert.Equal(ExitCodes.Failure, ExitCodes.Of(AdminError.RolloutRefused));
        Assert.Equal(ExitCodes.Failure, ExitCodes.Of(AdminError.StoreUnavailable));
        Assert.Equal(ExitCodes.Failure, ExitCodes.Of(AdminError.TooManyStreams));
        Assert.Equal(ExitCodes.Failure, ExitCodes.Of(AdminError.ReasonRequired));
    }

    [Theory]
    [InlineData("some_newer_error", HttpStatusCode.Forbidden, ExitCodes.NoPermission)]
    [InlineData("some_newer_error", HttpStatusCode.Unauthorized, ExitCodes.NoPermission)]
    [InlineData("some_newer_error", HttpStatusCode.Conflict, ExitCodes.Failure)]
    [InlineData(null, HttpStatusCode.InternalServerError, ExitCodes.Failure)]
    public void UnknownCode_FallsBackOnTheStatus(string? error, HttpStatusCode status, int expected) =>
        Assert.Equal(expected, ExitCodes.OfRefusal(error, status));

    [Fact]
    public void Statuses_AreTodays()
    {
        Assert.Equal(401, AdminResults.StatusOf(AdminError.Unauthorized));
        Assert.Equal(403, AdminResults.StatusOf(AdminError.Forbidden));
        Assert.Equal(413, AdminResults.StatusOf(AdminError.PayloadTooLarge));
        Assert.Equal(404, AdminResults.StatusOf(AdminError.UnknownCommand));
        Assert.Equal(409, AdminResults.StatusOf(AdminError.CriticalHealth));
        Assert.Equal(400, AdminResults.StatusOf(AdminError.ReasonInvalid));
        Assert.Equal(503, AdminResults.StatusOf(AdminError.StoreUnavailable));
        Assert.Equal(503, AdminResults.StatusOf(AdminError.TooManyStreams));
    }
}
