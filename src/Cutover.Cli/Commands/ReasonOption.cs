using System.CommandLine;
using Cutover.Core.Routing;

namespace Cutover.Cli.Commands;

/// <summary>The <c>--reason</c> every change needs; it goes into the audit trail.</summary>
internal static class ReasonOption
{
    public static Option<string> Create() => Checked(new("--reason", "-r")
    {
        Description = $"Why you are making this change (required; one line, at most {ReasonText.MaxLength:N0} characters; recorded in the audit trail with your token's name)",
        Required = true,
        HelpName = "TEXT",
    });

    /// <summary>An optional <c>--reason</c> (the server records a default without one).</summary>
    public static Option<string> Optional(string description) => Checked(new("--reason", "-r")
    {
        Description = description,
        HelpName = "TEXT",
    });

    /// <summary>
    /// The server's own rule, checked before anything is sent: a reason that is too long or has a control character is a
    /// usage error (64) naming --reason, and a 10 MB reason never leaves this machine.
    /// </summary>
    private static Option<string> Checked(Option<string> option)
    {
        option.Validators.Add(static result =>
        {
            if (ReasonText.Check(result.GetValueOrDefault<string>(), missing: null) is { } problem)
            {
                result.AddError($"--reason: {problem.Message}");
            }
        });
        return option;
    }
}
