using Cutover.Cli.Demo;
using Microsoft.Extensions.Logging;

namespace Cutover.Cli.Tests.Demo;

/// <summary>
/// The demo router's log on a terminal: held while the live view is drawn (a line written into the view tore it), then
/// written whole, in order, bounded.
/// </summary>
public sealed partial class HeldLogsTests
{
    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Rolled back to {Percent}%")]
    private static partial void RolledBack(ILogger logger, int percent);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Store failed")]
    private static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "below the minimum level: never held")]
    private static partial void Chatter(ILogger logger);

    [LoggerMessage(EventId = 0, Level = LogLevel.Warning, Message = "line {N}")]
    private static partial void Line(ILogger logger, int n);

    [Fact]
    public void Logged_IsHeldUntilWriteTo_ThenWrittenInOrder_OnceEach()
    {
        var held = new HeldLogs();
        using var factory = LoggerFactory.Create(b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(held));
        var logger = factory.CreateLogger("Cutover.Server.Rollout.RolloutController");
        var sink = new StringWriter();

        RolledBack(logger, 0);
        StoreFailed(logger, new InvalidOperationException("disk full"));
        Chatter(logger);
        var before = sink.ToString();
        held.WriteTo(sink);
        var first = sink.ToString();
        held.WriteTo(sink);

        Assert.Equal("", before);
        Assert.Equal(
            "warn: Cutover.Server.Rollout.RolloutController[4012] Rolled back to 0%" + Environment.NewLine
            + "fail: Cutover.Server.Rollout.RolloutController[7] Store failed (disk full)" + Environment.NewLine,
            first);
        Assert.Equal(first, sink.ToString()); // nothing twice
    }

    [Fact]
    public void ARunawayLogger_KeepsTheFirstLines_AndCountsTheRest()
    {
        var held = new HeldLogs();
        var logger = held.CreateLogger("noisy");
        for (var i = 0; i < 250; i++)
        {
            Line(logger, i);
        }

        var sink = new StringWriter();
        held.WriteTo(sink);
        var lines = sink.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(201, lines.Length);
        Assert.Equal("warn: noisy[0] line 0", lines[0]);
        Assert.Equal("warn: noisy[0] line 199", lines[199]);
        Assert.Equal("(50 more log lines were not kept)", lines[200]);
    }
}
