using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Core.Webhooks;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover user ID</c>: one person by any of their identifiers.</summary>
internal static class UserCommand
{
    public static Command Create(CliRunner runner)
    {
        var user = new Argument<string>("ID")
        {
            Description = "Any identifier of the person: a phone number's digits (250788123456) or a business-scoped id (US.1234…)",
        };
        var command = new Command("user", """
            Show one person as routing sees them: the identifiers Cutover has linked to them (a phone number, a
            username's business-scoped id, a number they changed to; in stored form, hashed unless Privacy:UserKeys
            is raw), the bucket they keep whichever identifier they use, the side they are on in each domain now,
            an override if any, where their last inbound message went (their statuses follow it), and their last
            line in the decision log.

            Examples:
              cutover user 250788123456
              cutover user US.13491208655302741918 --json | jq .routes
            """);
        command.Arguments.Add(user);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var id = context.Parse.GetValue(user)!.Trim();
            // Checked here as the server checks it, so a typo costs no round trip and never reaches a URL unencoded.
            if (!WebhookIds.IsPlain(id))
            {
                throw new CliException(ExitCodes.Usage,
                    "ID must be a WhatsApp id: a phone number's digits or a business-scoped id such as US.1234…, 1 to 128 printable ASCII characters without spaces");
            }

            using var admin = context.Admin();
            var view = await admin.GetAsync("admin/users/" + Uri.EscapeDataString(id), ServerJson.Default.UserView, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(view, ServerJson.Default.UserView);
            }
            else
            {
                UserRender.User(context.Console, view);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
