using System.CommandLine;
using Cutover.Server.Hosting;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover serve</c>: run the router.</summary>
internal static class ServeCommand
{
    public static Command Create(CliRunner runner)
    {
        var config = ConfigFile.Option();
        var listen = new Option<string>("--listen")
        {
            Description = "Listen here instead of Cutover:Listen (for example http://127.0.0.1:8080)",
            HelpName = "URL",
        };
        var command = new Command("serve", """
            Run the router: receive Meta's webhooks on /webhook, route each update to unified or legacy,
            serve /admin for the CLI. Migrates the store at start. Stops cleanly on Ctrl+C.

            Example:
              cutover serve --config cutover.json
            """);
        command.Options.Add(config);
        command.Options.Add(listen);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var file = ConfigFile.Resolve(context.Parse.GetValue(config));

            // Check the configuration first, so every problem is listed before anything starts.
            ConfigFile.Load(file);
            var address = context.Parse.GetValue(listen);
            if (address is not null && !Uri.TryCreate(address, UriKind.Absolute, out _))
            {
                throw new CliException(ExitCodes.Usage, $"--listen: '{address}' is not an address such as http://127.0.0.1:8080");
            }

            await using var app = CutoverHost.Build(new CutoverHostOptions { ConfigFile = file, Listen = address });
            try
            {
                await app.StartAsync(cancellationToken);
                foreach (var bound in app.Urls)
                {
                    await context.Out.WriteLineAsync($"Cutover listening on {bound}");
                }

                await context.Out.FlushAsync(cancellationToken);
                await app.WaitForShutdownAsync(CancellationToken.None);
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException ex)
            {
                throw new CliException(ExitCodes.Config, ConfigFile.Describe([.. ex.Failures], file));
            }
            catch (StoreException ex)
            {
                throw new CliException(ExitCodes.Unavailable, ex.Message);
            }
            catch (IOException ex) when (ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException(ExitCodes.Unavailable, ex.Message);
            }
        });
        return command;
    }
}
