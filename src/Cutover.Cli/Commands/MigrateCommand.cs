using System.CommandLine;
using Cutover.Store;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover migrate</c>: create or upgrade the store's schema.</summary>
internal static class MigrateCommand
{
    public static Command Create(CliRunner runner)
    {
        var config = ConfigFile.Option();
        var command = new Command("migrate", """
            Create or upgrade the store's schema (the server also does this at start). Safe to run again.

            Example:
              cutover migrate --config cutover.json
            """);
        command.Options.Add(config);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var file = ConfigFile.Resolve(context.Parse.GetValue(config));
            var options = ConfigFile.Load(file);
            try
            {
                await using var store = StoreFactory.Open(options.Store.ProviderName, options.Store.ConnectionString, TimeProvider.System);
                var applied = await store.MigrateAsync(cancellationToken);
                var version = await store.SchemaVersionAsync(cancellationToken);
                await context.Out.WriteLineAsync(applied == 0
                    ? $"The {store.Provider} store at {store.Location} is up to date (schema version {version})."
                    : $"Applied {applied} migration{(applied == 1 ? string.Empty : "s")} to the {store.Provider} store at {store.Location}; schema version {version}.");
                return ExitCodes.Ok;
            }
            catch (StoreException ex)
            {
                throw new CliException(ExitCodes.Unavailable, ex.Message);
            }
        });
        return command;
    }
}
