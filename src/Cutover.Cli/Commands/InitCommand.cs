using System.CommandLine;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover init</c>: write a commented starter configuration.</summary>
internal static class InitCommand
{
    public static Command Create(CliRunner runner)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = $"Write the configuration here [default: ./{ConfigFile.DefaultName}]",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force")
        {
            Description = "Overwrite the file if it exists",
        };
        var command = new Command("init", """
            Write a commented starter configuration: every secret as env:NAME (none in the file), sane defaults,
            placeholder upstream URLs to replace. Refuses to overwrite a file unless --force.

            Example:
              cutover init
              cutover init --output /etc/cutover/cutover.json --force
            """);
        command.Options.Add(output);
        command.Options.Add(force);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(output) ?? ConfigFile.DefaultName;
            if (path.Length == 0)
            {
                throw new CliException(ExitCodes.Usage, "--output: the file name is empty");
            }

            await WriteAsync(path, context.Parse.GetValue(force), cancellationToken);
            await context.Out.WriteLineAsync($"""
                Wrote {path}. Next: replace the placeholder URLs under Upstreams with your handlers', set
                {string.Join(", ", StarterConfig.Variables)} (the file says how), and run cutover serve --config {path}.
                """);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteAsync(string path, bool force, CancellationToken cancellationToken)
    {
        try
        {
            // CreateNew, not a look first: a file that appears in between is still not overwritten.
            await using var stream = new FileStream(path, force ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(StarterConfig.Text.AsMemory(), cancellationToken);
        }
        catch (IOException) when (!force && File.Exists(path))
        {
            throw new CliException(ExitCodes.CantCreate, $"--output: {path} exists; --force overwrites it");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.CantCreate, $"--output: cannot write {path}: {ex.Message}");
        }
    }
}
