using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover overrides</c>: the users pinned by <c>cutover override</c>, as <c>GET /admin/overrides</c> lists them.</summary>
internal static class OverridesCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("overrides", """
            Every override in force: the user as stored (raw, as typed to 'cutover override'), the route it pins
            (none: only the domain), the domain it pins, who set it, when and why. Read-only; 'cutover override
            USER clear --reason R' removes one.

            Examples:
              cutover overrides
              cutover overrides --json
            """);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var overrides = await admin.GetAsync("admin/overrides", ServerJson.Default.ListOverrideView, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(overrides, ServerJson.Default.ListOverrideView);
            }
            else
            {
                ListRender.Overrides(context.Console, overrides);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
