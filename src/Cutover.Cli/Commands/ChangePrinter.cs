using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>Prints the answer to a change the same way for every verb that changes something.</summary>
internal static class ChangePrinter
{
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
