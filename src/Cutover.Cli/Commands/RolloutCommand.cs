using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover rollout plan|start|promote|pause|resume|abort|status</c>.</summary>
internal static class RolloutCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("rollout", """
            The rollout controller walks the plan (Rollout:Steps; by default 10% 4 h, 25% 4 h, 35% 6 h, 50% 24 h,
            75% 48 h, 100% 48 h): each step soaks, then advances when every gate is green (auto) or waits for
            'promote' (manual). A critical check rolls back by itself (Rollout:OnCritical) and halts until 'resume'.

            Examples:
              cutover rollout plan
              cutover rollout start --reason "week 6: begin the cutover"
              cutover rollout status
              cutover rollout promote --reason "day 2 review done, all green"
            """);
        command.Subcommands.Add(Status(runner));
        command.Subcommands.Add(Plan(runner));
        command.Subcommands.Add(Change(runner, "start", """
            Start the plan at its first step, for every routable domain or one (--domain). Routing must be enabled.

            Examples:
              cutover rollout start --reason "week 6: begin the cutover"
              cutover rollout start --domain jobs --reason "jobs first"
            """, withDomain: true));
        command.Subcommands.Add(Change(runner, "promote", """
            Manual mode: advance to the next step once the soak is over and every gate is green.
            A step held by a gate that warns or lacks data (either mode) advances only when you accept that gate
            by name, knowingly: --accept split. The event records the gates accepted, their state and message.
            A critical check can never be accepted; what you accept applies to this step only.

            Examples:
              cutover rollout promote --reason "10% looked good for 4 h"
              cutover rollout promote --accept split --reason "pilot cohort skews the split (INC-42)"
            """, withAccept: true));
        command.Subcommands.Add(Change(runner, "pause", """
            Stop advancing (the controller still rolls back on a critical check).

            Example:
              cutover rollout pause --reason "marketing campaign tonight"
            """));
        command.Subcommands.Add(Change(runner, "resume", """
            Go on after a pause; after a rollback, restart the step that was rolled back, its soak from now.
            Refused while a health check is critical (the answer names the checks): the controller would roll
            back again at its next look. --force resumes anyway, for a check you know to be wrong.

            Examples:
              cutover rollout resume --reason "fix deployed in unified"
              cutover rollout resume --force --reason "probe URL was wrong; unified is fine (INC-123)"
            """, withForce: true));
        command.Subcommands.Add(Change(runner, "abort", """
            End the rollout and send every user of its scope back to legacy (0%).

            Example:
              cutover rollout abort --reason "postponed to next quarter"
            """));
        return command;
    }

    private static Command Status(CliRunner runner)
    {
        var command = new Command("status", """
            Where the rollout is: state, step and percent, time left in the soak, each gate now, and what happens next.

            Examples:
              cutover rollout status
              cutover rollout status --json | jq -r .state
            """);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var status = await admin.GetAsync("admin/rollout", ServerJson.Default.RolloutStatusResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(status, ServerJson.Default.RolloutStatusResponse);
            }
            else
            {
                RolloutRender.Status(context.Console, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Plan(CliRunner runner)
    {
        var command = new Command("plan", """
            The plan the controller walks: each step's percent, soak and minimum unified requests.

            Example:
              cutover rollout plan
            """);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var plan = await admin.GetAsync("admin/rollout/plan", ServerJson.Default.RolloutPlanResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(plan, ServerJson.Default.RolloutPlanResponse);
            }
            else
            {
                RolloutRender.Plan(context.Console, plan);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Change(
        CliRunner runner, string name, string description, bool withDomain = false, bool withForce = false, bool withAccept = false)
    {
        var reason = ReasonOption.Create();
        var domain = new Option<string>("--domain", "-d") { Description = "Roll out this domain only (its own percent)", HelpName = "DOMAIN" };
        var force = new Option<bool>("--force") { Description = "Resume even though a health check is critical (recorded with the reason)" };
        var accept = new Option<string[]>("--accept")
        {
            Description = "Advance although this gate holds the step (a health check's name, e.g. split; repeat or comma-separate for more)",
            HelpName = "GATE",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command(name, description);
        command.Options.Add(reason);
        if (withAccept)
        {
            command.Options.Add(accept);
        }

        if (withDomain)
        {
            command.Options.Add(domain);
        }

        if (withForce)
        {
            command.Options.Add(force);
        }

        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var response = await admin.SendAsync(HttpMethod.Post, $"admin/rollout/{name}",
                new RolloutRequest(
                    context.Parse.GetValue(reason),
                    withDomain ? context.Parse.GetValue(domain) : null,
                    withForce && context.Parse.GetValue(force) ? true : null,
                    withAccept ? Gates(context.Parse.GetValue(accept)) : null),
                ServerJson.Default.RolloutRequest, ServerJson.Default.RolloutCommandResponse, cancellationToken);
            return RolloutRender.Print(context, response);
        });
        return command;
    }

    /// <summary>The gates named by <c>--accept</c>, repeated or comma-separated; null when none, so the request stays as before.</summary>
    private static List<string>? Gates(string[]? values)
    {
        List<string> gates = [.. (values ?? []).SelectMany(static v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        return gates.Count == 0 ? null : gates;
    }
}
