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
        var delivery = new Option<string>("--delivery")
        {
            Description = "direct (the rollout plan and its rollback) or queued (outages under queued delivery: fast acks, backlog, dead letters, replay)",
            DefaultValueFactory = _ => "direct",
            HelpName = "MODE",
        };
        delivery.Validators.Add(static r =>
        {
            if (DeliveryOf(r.GetValueOrDefault<string>()) is null)
            {
                r.AddError($"--delivery: '{r.GetValueOrDefault<string>()}' is not direct or queued");
            }
        });
        var dashboard = new Option<bool>("--dashboard")
        {
            Description = "When the demo is done, keep its router up and print the URL of its dashboard (GET /dashboard), until Ctrl-C",
        };
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

            With --delivery queued the router stores each webhook and answers 200 at once, and delivers it with retries
            (Delivery:Mode = queued, with retries in tens of milliseconds instead of seconds). In real time, about half a minute:
            normal traffic; unified down (deliveries fall back to legacy); every handler down (acks stay fast, the
            backlog rises, some updates exhaust their attempts and become dead letters); handlers back (the backlog
            drains); the dead letters replayed. Per phase: ack p50/p99 at the sender, backlog, delivered, dead letters.
            It ends by counting at the handlers, by X-Idempotency-Key, that every update acknowledged was received, and
            that each replayed dead letter was received once more. Exit 0 when nothing was lost, 70 otherwise.

            With --dashboard the router stays up when the demo is done, with everything it recorded, and the demo prints
            the URL of its dashboard (http://127.0.0.1:PORT/dashboard: the rollout, the figures over time, the timeline
            with the rollback) and waits for Ctrl-C. No token is needed: the router listens on loopback only.

            Examples:
              cutover demo
              cutover demo --users 10000 > demo.log
              cutover demo --delivery queued
              cutover demo --dashboard
            """);
        command.Options.Add(users);
        command.Options.Add(delivery);
        command.Options.Add(dashboard);
        runner.Bind(command, (context, cancellationToken) =>
            new DemoRunner(context, context.Parse.GetValue(users), DeliveryOf(context.Parse.GetValue(delivery)) ?? DemoDelivery.Direct,
                context.Parse.GetValue(dashboard)).RunAsync(cancellationToken));
        return command;
    }

    private static DemoDelivery? DeliveryOf(string? value) => value switch
    {
        "direct" => DemoDelivery.Direct,
        "queued" => DemoDelivery.Queued,
        _ => null,
    };
}
