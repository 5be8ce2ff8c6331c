using System.CommandLine;

namespace Cutover.Cli;

/// <summary>Binds verbs to their handlers and turns a <see cref="CliException"/> into a message on stderr and an exit code.</summary>
internal sealed class CliRunner(CommonOptions common, TextWriter output, TextWriter error)
{
    public CommonOptions Common { get; } = common;

    public void Bind(Command command, Func<CliContext, CancellationToken, Task<int>> handler) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, handler, cancellationToken));

    private async Task<int> RunAsync(ParseResult parse, Func<CliContext, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        try
        {
            return await handler(new CliContext(parse, Common, output, error), cancellationToken);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync($"cutover: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("cutover: interrupted");
            return 130;
        }
    }
}
