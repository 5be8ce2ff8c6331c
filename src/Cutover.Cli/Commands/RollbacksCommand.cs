using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover rollbacks</c>: the rollbacks recorded (<c>migration_rollbacks</c>), as <c>GET /admin/rollbacks</c> lists them.</summary>
internal static class RollbacksCommand
{
    /// <summary>The server's own limit on one list.</summary>
    private const int MaxLimit = 10_000;

    public static Command Create(CliRunner runner)
    {
        var limit = new Option<int>("--limit", "-n") { Description = $"How many, newest first (1 to {MaxLimit})", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be from 1 to {MaxLimit}");
            }
        });
        var command = new Command("rollbacks", """
            Every rollback, automatic (by system, on a critical check) or by hand ('cutover rollback'), newest
            first: when, the rollout's phase, the scope, the percentage from and to, who, and the reason (the
            critical checks' sentences, or the operator's). Read-only; --json has the health at that moment,
            every check's value as recorded.

            Examples:
              cutover rollbacks
              cutover rollbacks --limit 5 --json
            """);
        command.Options.Add(limit);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var rollbacks = await admin.GetAsync(
                "admin/rollbacks?limit=" + context.Parse.GetValue(limit).ToString(CultureInfo.InvariantCulture), ServerJson.Default.ListRollbackView, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(rollbacks, ServerJson.Default.ListRollbackView);
            }
            else
            {
                ListRender.Rollbacks(context.Console, rollbacks);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
