using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cutover.Cli.Output;
using Cutover.Core.Routing;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>
/// <c>cutover decisions [--follow] [--errors] [--user U] [--domain D] [--route R] [--window 15m] [--limit N]</c>: the
/// decision tail, one line per update, oldest first; <c>--follow</c> keeps printing from the server's event stream.
/// </summary>
internal static class DecisionsCommand
{
    /// <summary>The most decisions one answer holds: the server's own limit.</summary>
    private const int MaxLimit = 1_000;

    public static Command Create(CliRunner runner)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new decisions as they are logged, until Ctrl-C (which exits 0)" };
        var errors = new Option<bool>("--errors") { Description = "Only updates that failed or fell back to legacy" };
        var user = new Option<string>("--user", "-u")
        {
            Description = "Only this person's decisions: a phone number (+1 555 010 0123 or its digits) or a business-scoped id (US.1234…), "
                + "as you know it; the server finds every identifier of theirs and hashes them as the log does",
            HelpName = "PHONE|BSUID",
        };
        user.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && (text.Trim().Length is 0 or > 128 || UnsafeText.IndexOfUnsafe(text) >= 0))
            {
                result.AddError($"--user must be a phone number or a business-scoped id, 1 to 128 characters without control characters, not '{UnsafeText.Sanitize(text)}'");
            }
        });
        var domain = new Option<string>("--domain", "-d")
        {
            Description = "Only this domain's decisions (a configured domain: jobs, marketplace, …)",
            HelpName = "DOMAIN",
        };
        var route = new Option<string>("--route") { Description = "Only decisions routed this way", HelpName = "unified|legacy" };
        route.AcceptOnlyFromAmong(RouteNames.Unified, RouteNames.Legacy);
        var window = WindowOption.Create("15m", "How far back to start");
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many of the newest to show first (1 to {MaxLimit})",
            DefaultValueFactory = _ => 100,
        };
        limit.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be from 1 to {MaxLimit}");
            }
        });
        var command = new Command("decisions", """
            The decision tail: one line per update, oldest first: time (UTC), correlation id, domain, the rule
            that chose it, route, upstream, handler, ok or error with the upstream's status (and "fallback" when
            it fell back to legacy), latency, and the error. --follow keeps printing new ones as every instance
            logs them (within about half a second), until Ctrl-C. --json prints one JSON object per line.

            Examples:
              cutover decisions
              cutover decisions --follow --errors
              cutover decisions --user +250788123456 --window 2h
              cutover decisions --domain jobs --route unified --limit 1000 --json
            """);
        command.Options.Add(follow);
        command.Options.Add(errors);
        command.Options.Add(user);
        command.Options.Add(domain);
        command.Options.Add(route);
        command.Options.Add(window);
        command.Options.Add(limit);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var query = "?limit=" + context.Parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)
                + Parameter("window", context.Parse.GetValue(window))
                + (context.Parse.GetValue(errors) ? "&errors=true" : string.Empty)
                + Parameter("user", context.Parse.GetValue(user)?.Trim())
                + Parameter("domain", context.Parse.GetValue(domain))
                + Parameter("route", context.Parse.GetValue(route));
            using var admin = context.Admin();
            if (context.Parse.GetValue(domain) is { } only)
            {
                await DomainCheck.EnsureConfiguredAsync(admin, only, cancellationToken);
            }

            if (context.Parse.GetValue(follow))
            {
                return await FollowAsync(context, admin, "admin/decisions/stream" + query, cancellationToken);
            }

            var list = await admin.GetAsync("admin/decisions" + query, ServerJson.Default.DecisionListResponse, cancellationToken);
            if (context.Json)
            {
                foreach (var decision in list.Decisions)
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(decision, ServerJson.Default.DecisionView));
                }
            }
            else if (list.Decisions.Count == 0)
            {
                context.Out.WriteLine($"No decisions match in the last {context.Parse.GetValue(window)}.");
            }
            else
            {
                context.Out.WriteLine(DecisionRender.Header);
                foreach (var decision in list.Decisions)
                {
                    context.Out.WriteLine(DecisionRender.Format(decision));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Prints each <c>decision</c> event as it comes, flushing every line, until Ctrl-C (or the caller's cancellation):
    /// the end a follower means, so exit 0. A server that goes away ends it with 69, naming the URL.
    /// </summary>
    private static async Task<int> FollowAsync(CliContext context, AdminClient admin, string path, CancellationToken cancellationToken)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signal = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true; // ours to handle: stop reading and exit 0
            interrupt.Cancel();
        });
        // The header comes with the first line: a stream the server refuses prints its sentence alone.
        var header = !context.Json;
        try
        {
            await foreach (var (name, data) in admin.EventsAsync(path, interrupt.Token))
            {
                if (name != "decision")
                {
                    continue; // an event a newer server sends that this CLI does not know
                }

                DecisionView? decision;
                try
                {
                    decision = JsonSerializer.Deserialize(data, ServerJson.Default.DecisionView);
                }
                catch (JsonException ex)
                {
                    throw new CliException(ExitCodes.Software, $"the decision stream sent something that is not a decision: {ex.Message}");
                }

                if (decision is null)
                {
                    continue;
                }

                if (header)
                {
                    await context.Out.WriteLineAsync(DecisionRender.Header);
                    header = false;
                }

                await context.Out.WriteLineAsync(context.Json ? JsonSerializer.Serialize(decision, ServerJson.Default.DecisionView) : DecisionRender.Format(decision));
                await context.Out.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
        }

        return ExitCodes.Ok;
    }

    private static string Parameter(string name, string? value) => value is null ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";
}
