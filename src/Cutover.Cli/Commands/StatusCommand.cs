using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover status</c>.</summary>
internal static class StatusCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("status", """
            Show what is routed where right now: enabled or not, the global and per-domain percentages,
            which domains are routable or protected, and the decision log's counters.

            Examples:
              cutover status
              cutover status --json | jq .percent
            """);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var status = await admin.GetAsync("admin/status", ServerJson.Default.StatusResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(status, ServerJson.Default.StatusResponse);
            }
            else
            {
                Render.Status(context.Console, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
