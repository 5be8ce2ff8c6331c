using System.CommandLine;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover override USER unified|legacy|none|clear [--domain D] --reason R</c>.</summary>
internal static class OverrideCommand
{
    public static Command Create(CliRunner runner)
    {
        var user = new Argument<string>("USER") { Description = "The user's WhatsApp id (phone number digits, or a business-scoped id such as US.1234…)" };
        var route = new Argument<string>("ROUTE")
        {
            Description = "unified or legacy pins the route; none pins only the domain (with --domain); clear removes the override",
        };
        route.AcceptOnlyFromAmong("unified", "legacy", "none", "clear");
        var domain = new Option<string>("--domain", "-d")
        {
            Description = "Also pin the user's domain, skipping classification",
            HelpName = "DOMAIN",
        };
        var reason = ReasonOption.Create();
        var command = new Command("override", """
            Pin one user: force unified (a tester), force legacy (a user with a problem), and/or fix the domain.
            A protected domain still always goes to legacy: unified with --domain set to one is accepted, with a warning
            that the route has no effect there.

            Examples:
              cutover override 250788123456 unified --reason "QA phone"
              cutover override 250788123456 none --domain jobs --reason "misclassified, ticket 812"
              cutover override 250788123456 clear --reason "QA done"
            """);
        command.Arguments.Add(user);
        command.Arguments.Add(route);
        command.Options.Add(domain);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var key = context.Parse.GetValue(user)!.Trim();
            var choice = context.Parse.GetValue(route)!;
            var pinDomain = context.Parse.GetValue(domain);
            var why = context.Parse.GetValue(reason);
            var path = "admin/overrides/" + Uri.EscapeDataString(key);
            using var admin = context.Admin();
            ChangeResponse response;
            if (choice == "clear")
            {
                if (pinDomain is not null)
                {
                    throw new CliException(ExitCodes.Usage, "--domain does not go with clear: clear removes the whole override");
                }

                response = await admin.SendAsync(HttpMethod.Delete, path, new ReasonRequest(why), ServerJson.Default.ReasonRequest,
                    ServerJson.Default.ChangeResponse, cancellationToken);
                return ChangePrinter.PrintOverride(context, response, key, "this user has no override");
            }

            if (choice == "none" && pinDomain is null)
            {
                throw new CliException(ExitCodes.Usage, "ROUTE none pins only the domain, so it needs --domain");
            }

            var request = new OverrideRequest(choice == "none" ? null : choice, pinDomain, why);
            response = await admin.SendAsync(HttpMethod.Put, path, request, ServerJson.Default.OverrideRequest, ServerJson.Default.ChangeResponse,
                cancellationToken);
            var exit = ChangePrinter.PrintOverride(context, response, key, "this user already has exactly this override");

            // The server takes the pin (the domain pin still counts), but protection wins over a route to unified: say so,
            // or the operator believes a tester now reaches unified in a domain that never goes there.
            if (choice == "unified" && pinDomain is not null && response.Status.Domains.TryGetValue(pinDomain, out var pinned) && pinned.Protected)
            {
                await context.Error.WriteLineAsync($"cutover: warning: {pinDomain} is a protected domain, so the route to unified has no effect there: "
                    + "its updates always go to legacy");
            }

            return exit;
        });
        return command;
    }
}
