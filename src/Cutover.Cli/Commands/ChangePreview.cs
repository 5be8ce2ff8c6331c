using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>
/// The line <c>set</c> and <c>rollback</c> print before they apply a change: what <c>/admin/simulate</c> says it would
/// do to the users of the last day. Only for people (not with <c>--json</c>), and never in the way: if the server
/// cannot simulate, the change goes ahead, and a note says so once the change is through.
/// </summary>
/// <remarks>
/// The note waits for the change because a simulation refused is most often refused for the reason the change is
/// (no token, an unknown or protected domain, a server not reached): printed at once, the operator read the same
/// refusal twice. When the change is refused, only its own refusal is printed.
/// </remarks>
internal static class ChangePreview
{
    /// <summary>Long enough for a day of a busy log, short enough that an urgent rollback is not held up.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Prints the preview; returns why it was skipped (for <see cref="NoteSkippedAsync"/>), or null.</summary>
    public static async Task<string?> PrintAsync(CliContext context, AdminClient admin, string query, CancellationToken cancellationToken)
    {
        if (context.Json)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var simulation = await admin.GetAsync("admin/simulate?" + query, ServerJson.Default.SimulationResponse, timeout.Token);
            await context.Out.WriteLineAsync(SimulateRender.Preview(simulation));
            return null;
        }
        catch (CliException ex)
        {
            return ex.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Said at once: the operator has just waited for it.
            await context.Error.WriteLineAsync($"cutover: preview skipped (no answer within {Timeout.TotalSeconds:0} s); applying the change anyway");
            return null;
        }
    }

    /// <summary>After the server took the change: the preview it could not give, and why.</summary>
    public static async Task NoteSkippedAsync(CliContext context, string? skipped)
    {
        if (skipped is not null)
        {
            await context.Error.WriteLineAsync($"cutover: preview skipped ({skipped}); the change was sent anyway");
        }
    }
}
