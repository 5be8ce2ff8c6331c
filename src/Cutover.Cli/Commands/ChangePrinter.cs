using Cutover.Cli.Output;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>Prints the answer to a change the same way for every verb that changes something.</summary>
internal static class ChangePrinter
{
    /// <summary>
    /// The answer to an override: each event names the user as the operator typed it, and as the audit trail keeps it
    /// when that differs (hashed, by default), so the confirmation can be matched to the command and to the history.
    /// </summary>
    public static int PrintOverride(CliContext context, ChangeResponse response, string typedUser, string unchanged)
    {
        if (context.Json || !response.Changed)
        {
            return Print(context, response, unchanged);
        }

        var user = UnsafeText.Sanitize(typedUser, 128);
        foreach (var e in response.Events)
        {
            var (stored, changes) = Render.ChangeParts(e);
            var kept = stored.Length == 0 || stored == typedUser ? string.Empty : $" (kept as {stored})";
            context.Out.WriteLine($"Changed {e.Kind} of {user}{kept}: {changes} (by {e.Actor}: \"{e.Reason}\"); now version {response.Status.Version}.");
        }

        return ExitCodes.Ok;
    }

    public static int Print(CliContext context, ChangeResponse response, string unchanged)
    {
        if (context.Json)
        {
            context.WriteJson(response, ServerJson.Default.ChangeResponse);
            return ExitCodes.Ok;
        }

        if (!response.Changed)
        {
            context.Out.WriteLine($"Nothing changed: {unchanged}.");
            return ExitCodes.Ok;
        }

        foreach (var e in response.Events)
        {
            context.Out.WriteLine($"Changed {e.Kind}: {Render.Change(e)} (by {e.Actor}: \"{e.Reason}\"); now version {response.Status.Version}.");
        }

        return ExitCodes.Ok;
    }
}
