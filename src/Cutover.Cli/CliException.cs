namespace Cutover.Cli;

/// <summary>A failure to report to the user as one message, with the exit code that classifies it.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
