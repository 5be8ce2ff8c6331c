using System.CommandLine;
using Cutover.Cli.Demo;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover demo</c>.</summary>
internal static class DemoCommand
{
    public static Command Create(CliRunner runner)
    {
        var users = new Option<int>("--users") { Description = "How many simulated users", DefaultValueFactory = _ => 3_000 };
        users.Validators.Add(static r =>
        {
            if (r.GetValueOrDefault<int>() is < 10 or > 1_000_000)
            {
                r.AddError("--users must be from 10 to 1000000");
            }
        });
        var command = new Command("demo", """
            See Cutover work with nothing to set up: in this process, a router on a temporary SQLite store,
            simulated legacy and unified handlers on loopback ports, and signed WhatsApp traffic from
            thousands of users over every domain. It routes at 10%, then 50%, and shows the split per domain.

            Example:
              cutover demo
            """);
        command.Options.Add(users);
        runner.Bind(command, (context, cancellationToken) =>
            new DemoRunner(context, context.Parse.GetValue(users)).RunAsync(cancellationToken));
        return command;
    }
}
