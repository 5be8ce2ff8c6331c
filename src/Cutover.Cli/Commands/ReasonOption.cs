using System.CommandLine;

namespace Cutover.Cli.Commands;

/// <summary>The <c>--reason</c> every change needs; it goes into the audit trail.</summary>
internal static class ReasonOption
{
    public static Option<string> Create() => new("--reason", "-r")
    {
        Description = "Why you are making this change (required; recorded in the audit trail with your token's name)",
        Required = true,
        HelpName = "TEXT",
    };
}
