using System.CommandLine;
using Cutover.Server.Hosting;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover serve</c>: run the router.</summary>
internal static class ServeCommand
{
    /// <summary>Where the generic host logs a start that failed ("Hosting failed to start", with the stack trace).</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>How Kestrel's exception for an address it cannot bind begins.</summary>
    private const string BindFailure = "Failed to bind to address ";

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

            // A start that fails (an address in use) is told in one line below; the host would also log it, with the
            // whole stack trace, as "Hosting failed to start". Its errors are muted only until the start is over. (A
            // filter replaces the configured level of its category, so it keeps the default, Information, itself.)
            var starting = true;
            await using var app = CutoverHost.Build(new CutoverHostOptions
            {
                ConfigFile = file,
                Listen = address,
                ConfigureLogging = logging => logging.AddFilter(HostCategory, level => level is >= LogLevel.Information and < LogLevel.Error || (level >= LogLevel.Error && !Volatile.Read(ref starting))),
            });
            try
            {
                await app.StartAsync(cancellationToken);
                Volatile.Write(ref starting, false);
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
            catch (IOException ex) when (ex.Message.StartsWith(BindFailure, StringComparison.Ordinal))
            {
                throw new CliException(ExitCodes.Unavailable, CannotListen(ex, address));
            }
            catch (IOException ex) when (ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException(ExitCodes.Unavailable, ex.Message);
            }
        });
        return command;
    }

    /// <summary>
    /// "cannot listen on http://127.0.0.1:8080: address already in use", from Kestrel's "Failed to bind to address
    /// http://127.0.0.1:8080: address already in use." (its reason is the part after the address).
    /// </summary>
    private static string CannotListen(IOException ex, string? listen)
    {
        var rest = ex.Message[BindFailure.Length..];
        var end = rest.IndexOf(": ", StringComparison.Ordinal);
        return end > 0
            ? $"cannot listen on {rest[..end]}: {rest[(end + 2)..].TrimEnd('.')}"
            : $"cannot listen on {listen ?? "the configured address"}: {rest.TrimEnd('.')}";
    }
}
