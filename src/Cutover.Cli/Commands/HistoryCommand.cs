using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover history</c>.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliRunner runner)
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many events, newest first", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--limit must be from 1 to 10000");
            }
        });
        var kind = new Option<string>("--kind") { Description = "Only events of this kind (percent, enable, disable, routable, override, override_clear, rollout_start, rollout_step, …, rollback, dlq_replay, dlq_purge)" };
        var since = new Option<string>("--since") { Description = "Only events at or after this time (ISO 8601, e.g. 2026-11-25T09:00:00Z)", HelpName = "TIME" };
        var command = new Command("history", """
            The audit trail: every change with when, who (the token's name), what it was before and after, and why.

            Examples:
              cutover history
              cutover history --kind percent --since 2026-11-25T00:00:00Z --json
            """);
        command.Options.Add(limit);
        command.Options.Add(kind);
        command.Options.Add(since);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var query = $"admin/history?limit={context.Parse.GetValue(limit)}";
            if (context.Parse.GetValue(kind) is { } k)
            {
                query += "&kind=" + Uri.EscapeDataString(k);
            }

            if (context.Parse.GetValue(since) is { } s)
            {
                if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    throw new CliException(ExitCodes.Usage, $"--since: '{s}' is not a time such as 2026-11-25T09:00:00Z");
                }

                query += "&since=" + Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));
            }

            using var admin = context.Admin();
            var history = await admin.GetAsync(query, ServerJson.Default.HistoryResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(history.Events, ServerJson.Default.ListHistoryEvent);
            }
            else
            {
                Render.History(context.Console, history.Events);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
