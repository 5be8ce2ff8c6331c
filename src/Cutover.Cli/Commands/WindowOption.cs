using System.CommandLine;
using Cutover.Core.Stats;

namespace Cutover.Cli.Commands;

/// <summary>The <c>--window</c> of the verbs that read a span of time ending now, checked before anything is sent.</summary>
internal static class WindowOption
{
    public static Option<string> Create(string defaultWindow, string description)
    {
        var window = new Option<string>("--window", "-w")
        {
            Description = $"{description} (15m, 1h, 24h, 7d; 1m to 90d)",
            DefaultValueFactory = _ => defaultWindow,
            HelpName = "WINDOW",
        };
        window.Validators.Add(static result =>
        {
            if (!StatsWindow.TryParse(result.GetValueOrDefault<string>(), out _, out var problem))
            {
                result.AddError($"--window: {problem}");
            }
        });
        return window;
    }
}
