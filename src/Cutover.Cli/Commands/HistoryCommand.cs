using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Core.Delivery;
using Cutover.Core.Text;
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
        var kind = new Option<string>("--kind")
        {
            Description = $"Only events of this kind ({string.Join(", ", HistoryKinds.All)})",
            HelpName = "KIND",
        };
        kind.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !HistoryKinds.All.Contains(text, StringComparer.Ordinal))
            {
                var guess = NearestNames.DidYouMean(NearestNames.Find(text, HistoryKinds.All));
                result.AddError($"--kind: '{UnsafeText.Sanitize(text)}' is not a kind of event; {(guess.Length > 0 ? guess + " " : string.Empty)}"
                    + $"the kinds are {string.Join(", ", HistoryKinds.All)}");
            }
        });
        var since = new Option<string>("--since")
        {
            Description = "Only events at or after this: a time (ISO 8601, e.g. 2026-11-25T09:00:00Z) or that long ago (30m, 1h, 2d; 1m to 90d)",
            HelpName = "TIME",
        };
        since.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !DeadLetterTime.TryParse(text, TimeProvider.System.GetUtcNow(), out _, out var problem))
            {
                result.AddError($"--since: {problem}");
            }
        });
        var command = new Command("history", """
            The audit trail: every change with when, who (the token's name), what it was before and after, and why.

            Examples:
              cutover history
              cutover history --kind percent --since 2026-11-25T00:00:00Z --json
              cutover history --kind rollback --since 2d
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

            // The server takes a time only, so a duration is counted back from this machine's clock.
            if (context.Parse.GetValue(since) is { } s && DeadLetterTime.TryParse(s, TimeProvider.System.GetUtcNow(), out var at, out _))
            {
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
