using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>
/// The line <c>set</c> and <c>rollback</c> print before they apply a change: what <c>/admin/simulate</c> says it would
/// do to the users of the last day. Only for people (not with <c>--json</c>), and never in the way: if the server
/// cannot simulate, a note says so and the change goes ahead.
/// </summary>
internal static class ChangePreview
{
    /// <summary>Long enough for a day of a busy log, short enough that an urgent rollback is not held up.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task PrintAsync(CliContext context, AdminClient admin, string query, CancellationToken cancellationToken)
    {
        if (context.Json)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var simulation = await admin.GetAsync("admin/simulate?" + query, ServerJson.Default.SimulationResponse, timeout.Token);
            await context.Out.WriteLineAsync(SimulateRender.Preview(simulation));
        }
        catch (CliException ex)
        {
            await context.Error.WriteLineAsync($"cutover: preview skipped ({ex.Message}); applying the change anyway");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync($"cutover: preview skipped (no answer within {Timeout.TotalSeconds:0} s); applying the change anyway");
        }
    }
}
