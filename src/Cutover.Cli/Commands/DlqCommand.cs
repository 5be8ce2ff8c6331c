using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Core.Delivery;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover dlq list|show|replay|purge</c>: the dead letters of queued delivery.</summary>
internal static class DlqCommand
{
    /// <summary>The most letters one list shows and ids one replay takes: the server's own limit.</summary>
    private const int MaxLimit = 1_000;

    public static Command Create(CliRunner runner)
    {
        var command = new Command("dlq", """
            The dead letters of queued delivery (Delivery:Mode queued): updates Cutover acknowledged to Meta but gave
            up delivering (every attempt failed, too old, refused by the upstream, or a body it could not parse).
            They are kept until replayed or purged. Replay and purge need --reason and go into the audit trail.

            Examples:
              cutover dlq list --since 1h
              cutover dlq show 42
              cutover dlq replay --all --domain jobs --to legacy --reason "unified down 14:00-14:20, ticket 931"
              cutover dlq purge --before 30d --reason "retention: older than a month"
            """);
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Show(runner));
        command.Subcommands.Add(Replay(runner));
        command.Subcommands.Add(Purge(runner));
        return command;
    }

    private static Command List(CliRunner runner)
    {
        var since = Since("Only letters that died at or after this");
        var domain = Domain();
        var upstream = Upstream();
        var reason = new Option<string>("--reason")
        {
            Description = $"Only letters that died for this reason ({string.Join(", ", DeadLetterReasons.All)})",
            HelpName = "REASON",
        };
        reason.AcceptOnlyFromAmong([.. DeadLetterReasons.All]);
        var limit = new Option<int>("--limit", "-n") { Description = $"How many, newest first (1 to {MaxLimit})", DefaultValueFactory = _ => 100 };
        limit.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be from 1 to {MaxLimit}");
            }
        });
        var command = new Command("list", """
            The dead letters, newest first: id (what show and replay take), when it died, its age since Cutover
            accepted it, why it died, the attempts made, the upstream tried last, the domain and route it was
            going to, and the last error, cut short (cutover dlq show ID has it whole).

            Examples:
              cutover dlq list
              cutover dlq list --since 2h --domain jobs --reason attempts_exhausted
              cutover dlq list --upstream unified --limit 1000 --json
            """);
        command.Options.Add(since);
        command.Options.Add(domain);
        command.Options.Add(upstream);
        command.Options.Add(reason);
        command.Options.Add(limit);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var query = "admin/dlq?limit=" + context.Parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)
                + Parameter("since", context.Parse.GetValue(since))
                + Parameter("domain", context.Parse.GetValue(domain))
                + Parameter("upstream", context.Parse.GetValue(upstream))
                + Parameter("reason", context.Parse.GetValue(reason));
            using var admin = context.Admin();
            var list = await admin.GetAsync(query, ServerJson.Default.DeadLetterListResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(list, ServerJson.Default.DeadLetterListResponse);
            }
            else
            {
                DlqRender.List(context.Console, list.Letters, context.Parse.GetValue(limit));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The dead letter's id, as cutover dlq list shows it" };
        id.Validators.Add(static result =>
        {
            if (!TryId(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"ID must be a dead letter's id, a whole number such as 42, not '{UnsafeText.Sanitize(result.GetValueOrDefault<string>() ?? string.Empty)}'");
            }
        });
        var command = new Command("show", """
            One dead letter whole: why it died, every attempt (time, upstream, route, status, latency, error),
            and the webhook's body (as text when it is UTF-8, else base64; --json has it all).

            Examples:
              cutover dlq show 42
              cutover dlq show 42 --json | jq -r .body
            """);
        command.Arguments.Add(id);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            TryId(context.Parse.GetValue(id), out var number);
            using var admin = context.Admin();
            var detail = await admin.GetAsync("admin/dlq/" + number.ToString(CultureInfo.InvariantCulture), ServerJson.Default.DeadLetterDetailView, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(detail, ServerJson.Default.DeadLetterDetailView);
            }
            else
            {
                DlqRender.Show(context.Console, detail);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Replay(CliRunner runner)
    {
        var ids = new Argument<string[]>("ID") { Description = $"The dead letters to replay (at most {MaxLimit}); or --all", Arity = ArgumentArity.ZeroOrMore };
        ids.Validators.Add(static result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TryId(text, out _))
                {
                    result.AddError($"ID must be a dead letter's id, a whole number such as 42, not '{UnsafeText.Sanitize(text)}'");
                    return;
                }
            }
        });
        var all = new Option<bool>("--all") { Description = "Replay every dead letter that matches the filters (all of them without one)" };
        var since = Since("With --all: only letters that died at or after this");
        var domain = Domain("With --all: ");
        var upstream = Upstream("With --all: ");
        var deadReason = new Option<string>("--dead-reason")
        {
            Description = $"With --all: only letters that died for this reason ({string.Join(", ", DeadLetterReasons.All)})",
            HelpName = "REASON",
        };
        deadReason.AcceptOnlyFromAmong([.. DeadLetterReasons.All]);
        var to = new Option<string>("--to")
        {
            Description = "Where to send them: unified, legacy (the domain's legacy upstream) or an upstream's name; "
                + "without it each goes where today's routing state sends it",
            HelpName = "unified|legacy|UPSTREAM",
        };
        to.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && (text.Length is 0 or > 64 || UnsafeText.IndexOfUnsafe(text) >= 0 || text.Contains(' ', StringComparison.Ordinal)))
            {
                result.AddError($"--to must be unified, legacy or an upstream's name, not '{UnsafeText.Sanitize(text)}'");
            }
        });
        var reason = ReasonOption.Create();
        var command = new Command("replay", """
            Queue dead letters for delivery again, with a fresh retry budget (their earlier attempts stay in their
            history). Name them by id, or take every one that matches with --all and the filters. They go where
            today's routing state sends them, unless --to says otherwise. Recorded in the audit trail (kind
            dlq_replay) with your token's name and --reason.

            Examples:
              cutover dlq replay 42 43 --reason "upstream fixed"
              cutover dlq replay --all --since 2h --upstream unified --to legacy --reason "unified still down, ticket 931"
              cutover dlq replay --all --dead-reason attempts_exhausted --reason "all handlers back after the outage"
            """);
        command.Arguments.Add(ids);
        command.Options.Add(all);
        command.Options.Add(since);
        command.Options.Add(domain);
        command.Options.Add(upstream);
        command.Options.Add(deadReason);
        command.Options.Add(to);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var numbers = (context.Parse.GetValue(ids) ?? []).Select(static t => TryId(t, out var n) ? n : 0).ToList();
            var every = context.Parse.GetValue(all);
            var filters = new[] { ("--since", context.Parse.GetValue(since)), ("--domain", context.Parse.GetValue(domain)),
                ("--upstream", context.Parse.GetValue(upstream)), ("--dead-reason", context.Parse.GetValue(deadReason)) };
            if (every == numbers.Count > 0)
            {
                throw new CliException(ExitCodes.Usage, every
                    ? "give either IDs or --all, not both"
                    : "say which dead letters to replay: their IDs, or --all (with optional filters --since, --domain, --upstream, --dead-reason)");
            }

            if (!every && filters.FirstOrDefault(static f => f.Item2 is not null) is { Item2: not null } filter)
            {
                throw new CliException(ExitCodes.Usage, $"{filter.Item1} filters --all; with IDs the IDs alone say which");
            }

            if (numbers.Count > MaxLimit)
            {
                throw new CliException(ExitCodes.Usage, $"{numbers.Count} IDs; at most {MaxLimit} go in one replay (--all with filters takes any number)");
            }

            var request = new DeadLetterReplayRequest(
                every ? null : numbers,
                every ? true : null,
                context.Parse.GetValue(since),
                context.Parse.GetValue(domain),
                context.Parse.GetValue(upstream),
                context.Parse.GetValue(deadReason),
                context.Parse.GetValue(to),
                context.Parse.GetValue(reason));
            using var admin = context.Admin();
            var response = await admin.SendAsync(HttpMethod.Post, "admin/dlq/replay", request, ServerJson.Default.DeadLetterReplayRequest,
                ServerJson.Default.DeadLetterReplayResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(response, ServerJson.Default.DeadLetterReplayResponse);
            }
            else
            {
                DlqRender.Replayed(context.Console, response);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Purge(CliRunner runner)
    {
        var before = new Option<string>("--before")
        {
            Description = "Delete the dead letters that died before this: a time (ISO 8601, e.g. 2026-11-25T09:00:00Z) or a window back from now (7d, 30d)",
            HelpName = "TIME",
            Required = true,
        };
        before.Validators.Add(static result => CheckTime(result, "--before"));
        var reason = ReasonOption.Create();
        var command = new Command("purge", """
            Delete dead letters for good: every one that died before --before, with its attempts and, when no other
            update needs it, its webhook's body. Recorded in the audit trail (kind dlq_purge) with your token's name
            and --reason.

            Examples:
              cutover dlq purge --before 30d --reason "retention: older than a month"
              cutover dlq purge --before 2026-11-25T00:00:00Z --reason "test traffic from the load test"
            """);
        command.Options.Add(before);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            using var admin = context.Admin();
            var response = await admin.SendAsync(HttpMethod.Post, "admin/dlq/purge",
                new DeadLetterPurgeRequest(context.Parse.GetValue(before), context.Parse.GetValue(reason)), ServerJson.Default.DeadLetterPurgeRequest,
                ServerJson.Default.DeadLetterPurgeResponse, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(response, ServerJson.Default.DeadLetterPurgeResponse);
            }
            else
            {
                DlqRender.Purged(context.Console, response);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string> Since(string description)
    {
        var since = new Option<string>("--since")
        {
            Description = $"{description}: a time (ISO 8601, e.g. 2026-11-25T09:00:00Z) or a window back from now (15m, 1h, 7d)",
            HelpName = "TIME",
        };
        since.Validators.Add(static result => CheckTime(result, "--since"));
        return since;
    }

    private static Option<string> Domain(string prefix = "") => new("--domain", "-d")
    {
        Description = Scoped(prefix, "only letters going to this domain (a configured domain: jobs, marketplace, …)"),
        HelpName = "DOMAIN",
    };

    private static Option<string> Upstream(string prefix = "") => new("--upstream")
    {
        Description = Scoped(prefix, "only letters whose last attempt went to this upstream (unified, jobs, …)"),
        HelpName = "UPSTREAM",
    };

    /// <summary>
    /// Checked here as the server checks it, so a typo costs no round trip; the text goes as typed, so a window is
    /// counted back from the server's clock.
    /// </summary>
    private static void CheckTime(OptionResult result, string name)
    {
        if (result.GetValueOrDefault<string>() is { } text && !DeadLetterTime.TryParse(text, TimeProvider.System.GetUtcNow(), out _, out var problem))
        {
            result.AddError($"{name}: {problem}");
        }
    }

    /// <summary>"Only …", or "With --all: only …" for a filter of the replay.</summary>
    private static string Scoped(string prefix, string text) => prefix.Length == 0 ? char.ToUpperInvariant(text[0]) + text[1..] : prefix + text;

    private static string Parameter(string name, string? value) => value is null ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";

    private static bool TryId(string? text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
}
