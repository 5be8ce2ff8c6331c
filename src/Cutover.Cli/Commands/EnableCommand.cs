using System.CommandLine;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover enable --reason R</c> and <c>cutover disable --reason R</c>.</summary>
internal static class EnableCommand
{
    public static Command Create(CliRunner runner, bool enable)
    {
        var reason = ReasonOption.Create();
        var command = enable
            ? new Command("enable", """
                Turn routing back on: users go where the percentages say again.

                Example:
                  cutover enable --reason "fix deployed, resuming"
                """)
            : new Command("disable", """
                The kill switch: send every update to legacy at once. Percentages are kept for 'enable'.

                Example:
                  cutover disable --reason "unified error rate 3%, investigating"
                """);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var response = await admin.SendAsync(HttpMethod.Post, enable ? "admin/enable" : "admin/disable",
                new ReasonRequest(context.Parse.GetValue(reason)), ServerJson.Default.ReasonRequest, ServerJson.Default.ChangeResponse,
                cancellationToken);
            return ChangePrinter.Print(context, response, enable ? "routing is already enabled" : "routing is already disabled");
        });
        return command;
    }
}
