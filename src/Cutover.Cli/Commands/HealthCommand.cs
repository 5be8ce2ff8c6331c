using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover health</c>: exit 0 ok, 1 warn or insufficient data, 2 critical.</summary>
internal static class HealthCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("health", """
            Judges unified's health now: error rate and p95 against the thresholds (Health:*), unified against
            legacy (a sequential test for errors, a tolerance for p95), the split against the configured percent,
            handler coverage. Each check says ok, warn, critical or insufficient_data, with its value, threshold
            and why. Exit 0 when every check is ok, 1 on warn or insufficient data, 2 on critical.

            Examples:
              cutover health
              cutover health --json | jq '.checks[] | select(.state != "ok")'
              cutover health || echo "not ready to promote"
            """);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var health = await admin.GetAsync("admin/health", ServerJson.Default.HealthResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(health, ServerJson.Default.HealthResponse);
            }
            else
            {
                HealthRender.Health(context.Console, health);
            }

            return ExitCodeOf(health.State);
        });
        return command;
    }

    public static int ExitCodeOf(string state) => state switch
    {
        "ok" => ExitCodes.Ok,
        "critical" => ExitCodes.Critical,
        _ => ExitCodes.Warn,
    };
}
