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
            See Cutover work with nothing to set up. In this process: a router on a temporary SQLite store, simulated
            legacy and unified handlers on loopback ports, and signed WhatsApp traffic from thousands of users over
            every domain. It walks the whole default rollout plan (10%, 25%, 35%, 50%, 75%, 100%; 134 hours of soaks)
            at accelerated time, a look of the rollout controller every 30 simulated minutes, in well under a minute.
            Two hours into 35% the unified handler starts failing 8% of its requests: health goes critical and the
            controller rolls back to 0% by itself. An hour later the demo fixes unified and resumes, as an operator
            would, and the plan runs to complete. On a terminal it shows a live view (step, percent, split per domain,
            p95, error rate, gates, events); otherwise one plain line per event. It ends with the split per domain
            and route, the checks (protected domains got nothing, no user moved back except by the rollback) and the
            audit trail. Exit 0 when the plan completed and every check held, 70 otherwise.

            Examples:
              cutover demo
              cutover demo --users 10000 > demo.log
            """);
        command.Options.Add(users);
        runner.Bind(command, (context, cancellationToken) =>
            new DemoRunner(context, context.Parse.GetValue(users)).RunAsync(cancellationToken));
        return command;
    }
}
