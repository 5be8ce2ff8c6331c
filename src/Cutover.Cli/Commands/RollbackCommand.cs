using System.CommandLine;
using System.Globalization;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover rollback [--to PERCENT] [--include-overrides] --reason R</c>.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliRunner runner)
    {
        var reason = ReasonOption.Create();
        var to = new Option<string>("--to") { Description = "The percent to go back to (0 to 100; default 0: everyone on legacy)", HelpName = "PERCENT" };
        to.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !TryPercent(text, out _))
            {
                result.AddError($"--to: '{text}' is not a percent from 0 to 100 with at most two decimals");
            }
        });
        var includeOverrides = new Option<bool>("--include-overrides")
        {
            Description = "Also clear the overrides that pin users of the scope to unified (recorded with the rollback); without it they stay, and are counted",
        };
        var command = new Command("rollback", """
            Send users back to legacy now, recorded as a rollback (migration_rollbacks) with the health at that moment.
            A running rollout halts there until 'cutover rollout resume'. First prints what 'cutover simulate'
            predicts the rollback does to the users of the last 24 hours. Users pinned to unified by an override
            ('cutover override USER unified') stay there: the answer counts them; --include-overrides clears them too.

            Examples:
              cutover rollback --reason "unified p95 at 4 s"
              cutover rollback --to 10 --reason "back to the first step while we look"
              cutover rollback --include-overrides --reason "unified is down: everyone, QA phones too"
            """);
        command.Options.Add(to);
        command.Options.Add(includeOverrides);
        command.Options.Add(reason);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            decimal? percent = context.Parse.GetValue(to) is { } text && TryPercent(text, out var p) ? p : null;
            using var admin = context.Admin();
            var preview = "window=24h&change=rollback&percent=" + (percent ?? 0).ToString(CultureInfo.InvariantCulture);
            var skipped = await ChangePreview.PrintAsync(context, admin, preview, cancellationToken);
            var response = await admin.SendAsync(HttpMethod.Post, "admin/rollback", new RollbackRequest(percent, context.Parse.GetValue(reason), context.Parse.GetValue(includeOverrides) ? true : null),
                ServerJson.Default.RollbackRequest, ServerJson.Default.RolloutCommandResponse, cancellationToken);
            await ChangePreview.NoteSkippedAsync(context, skipped);
            return RolloutRender.Print(context, response);
        });
        return command;
    }

    private static bool TryPercent(string text, out decimal percent) =>
        decimal.TryParse(text.TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent)
        && percent is >= 0 and <= 100 && decimal.Round(percent, 2) == percent;
}
