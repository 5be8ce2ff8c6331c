using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover set [PERCENT] [--domain D] [--routable on|off] --reason R</c>.</summary>
internal static class SetCommand
{
    public static Command Create(CliRunner runner)
    {
        var percent = new Argument<string?>("PERCENT")
        {
            Description = "Share of users sent to unified, 0 to 100 with up to two decimals; with --domain, 'global' makes the domain follow the global percentage again. "
                + "Left out with --routable: only the routable set changes (allowed at any time, a rollout running or not)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var domain = new Option<string>("--domain", "-d")
        {
            Description = "Set only this domain's percentage (protected domains are refused)",
            HelpName = "DOMAIN",
        };
        var routable = new Option<string>("--routable")
        {
            Description = "With --domain: on adds the domain to the routable set, off takes it out",
            HelpName = "on|off",
        };
        routable.AcceptOnlyFromAmong("on", "off");
        var reason = ReasonOption.Create();
        var command = new Command("set", """
            Set the percentage of users whose updates go to unified, for every routable domain or one.
            A user's bucket never changes, so raising the percentage only moves users from legacy to unified.
            First prints what 'cutover simulate' predicts the change does to the users of the last 24 hours.

            Examples:
              cutover set 10 --reason "start: week 6 day 3"
              cutover set 35 --domain jobs --reason "jobs ahead of the others"
              cutover set global --domain jobs --reason "jobs follows the global percentage again"
              cutover set --domain property --routable off --reason "property handler incident: all property to legacy"
            """);
        command.Arguments.Add(percent);
        command.Options.Add(domain);
        command.Options.Add(routable);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var target = context.Parse.GetValue(domain);
            var routableValue = context.Parse.GetValue(routable);
            if (routableValue is not null && target is null)
            {
                throw new CliException(ExitCodes.Usage, "--routable needs --domain");
            }

            var percentText = context.Parse.GetValue(percent);
            if (percentText is null && routableValue is null)
            {
                throw new CliException(ExitCodes.Usage, "PERCENT is required (0 to 100), unless only --routable on|off changes with --domain");
            }

            bool? makeRoutable = routableValue is null ? null : routableValue == "on";
            using var admin = context.Admin();
            ChangeResponse response;
            if (percentText is null)
            {
                // The routable set alone: no percent in the body, so a running rollout, which owns the percent, does
                // not refuse it (taking a domain out of routing is always allowed).
                var skippedRoutable = await ChangePreview.PrintAsync(context, admin, PreviewQuery(null, target, makeRoutable), cancellationToken);
                response = await admin.SendAsync(HttpMethod.Put, "admin/routing", new RoutableRequest(target!, makeRoutable!.Value, context.Parse.GetValue(reason)),
                    ServerJson.Default.RoutableRequest, ServerJson.Default.ChangeResponse, cancellationToken);
                await ChangePreview.NoteSkippedAsync(context, skippedRoutable);
                return ChangePrinter.Print(context, response, $"{target} is already set so");
            }

            var value = ParsePercent(percentText, target);
            var request = new RoutingRequest(value, target, makeRoutable, context.Parse.GetValue(reason));
            var skipped = await ChangePreview.PrintAsync(context, admin, PreviewQuery(value, target, request.Routable), cancellationToken);
            response = await admin.SendAsync(HttpMethod.Put, "admin/routing", request, ServerJson.Default.RoutingRequest,
                ServerJson.Default.ChangeResponse, cancellationToken);
            await ChangePreview.NoteSkippedAsync(context, skipped);
            return ChangePrinter.Print(context, response, target is null ? "the global percentage is already that" : $"{target} is already set so");
        });
        return command;
    }

    /// <summary>The same change, asked of <c>/admin/simulate</c>.</summary>
    private static string PreviewQuery(JsonElement? percent, string? domain, bool? routable)
    {
        var query = "window=24h" + (percent is not { } p ? string.Empty : "&percent=" + (p.ValueKind == JsonValueKind.Null ? "global" : p.GetRawText()));
        query += domain is null ? string.Empty : "&domain=" + Uri.EscapeDataString(domain);
        return query + (routable is { } r ? "&routable=" + (r ? "true" : "false") : string.Empty);
    }

    /// <summary>The percent as JSON: a number, or null for 'global' with a domain. Usage errors name the argument.</summary>
    private static JsonElement ParsePercent(string text, string? domain)
    {
        if (string.Equals(text, "global", StringComparison.OrdinalIgnoreCase))
        {
            if (domain is null)
            {
                throw new CliException(ExitCodes.Usage, "PERCENT: 'global' only makes sense with --domain");
            }

            return JsonDocument.Parse("null").RootElement.Clone();
        }

        var trimmed = text.Trim().TrimEnd('%');
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliException(ExitCodes.Usage, $"PERCENT: '{text}' is not a number from 0 to 100 (example: 25 or 12.5)");
        }

        if (RoutingRules.CheckPercent(value) is { } problem)
        {
            throw new CliException(ExitCodes.Usage, $"PERCENT: {problem}");
        }

        return JsonDocument.Parse(value.ToString(CultureInfo.InvariantCulture)).RootElement.Clone();
    }
}
