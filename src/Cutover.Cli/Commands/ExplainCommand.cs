using System.CommandLine;
using Cutover.Cli.Output;
using Cutover.Core.Classification;
using Cutover.Core.Identity;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Cutover.Store;

namespace Cutover.Cli.Commands;

/// <summary><c>cutover explain --payload FILE</c>.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliRunner runner)
    {
        var payload = new Option<string>("--payload", "-p")
        {
            Description = "A webhook body as Meta sends it (a JSON file, or - for standard input)",
            Required = true,
            HelpName = "FILE",
        };
        var config = new Option<string>("--config", "-c")
        {
            Description = "Explain here, from this configuration and its store, instead of asking the server",
            HelpName = "FILE",
        };
        var command = new Command("explain", """
            For each update of a webhook payload: the user, the domain and the rule that chose it, the user's
            bucket, the route, the upstream, and why. Nothing is sent; the router's memory is not changed.

            Examples:
              cutover explain --payload message.json
              cutover explain --payload message.json --config cutover.json --json
            """);
        command.Options.Add(payload);
        command.Options.Add(config);
        runner.Bind(command, async (context, cancellationToken) =>
        {
            var body = await ReadPayloadAsync(context.Parse.GetValue(payload)!, cancellationToken);
            var configFile = context.Parse.GetValue(config);
            List<ExplainedUpdate> updates;
            if (configFile is null)
            {
                using var admin = context.Admin();
                try
                {
                    updates = (await admin.PostRawAsync("admin/explain", body, ServerJson.Default.ExplainResponse, cancellationToken)).Updates;
                }
                catch (CliException ex) when (ex.ExitCode == ExitCodes.Failure)
                {
                    throw new CliException(ExitCodes.DataError, $"--payload: {ex.Message}");
                }
            }
            else
            {
                updates = await ExplainLocallyAsync(body, ConfigFile.Resolve(configFile), cancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(updates, ServerJson.Default.ListExplainedUpdate);
            }
            else
            {
                Render.Explain(context.Console, updates);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<byte[]> ReadPayloadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
                return buffer.ToArray();
            }

            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.NoInput, $"--payload: cannot read {path}: {ex.Message}");
        }
    }

    private static async Task<List<ExplainedUpdate>> ExplainLocallyAsync(byte[] body, string? configFile, CancellationToken cancellationToken)
    {
        var options = ConfigFile.Load(configFile);
        var topology = TopologyFactory.Create(options);
        var state = await LoadStateAsync(options, topology, cancellationToken);
        // Offline: no memory of earlier webhooks, so only what the payload itself teaches (links, conversations) is used.
        var memory = new RoutingMemory(new ConversationMemory(2, TimeSpan.FromMinutes(1)), new IdentityMap(1_024), options.Memory.ConversationWindow);
        if (!Explainer.TryExplain(body, RoutingSnapshot.Create(topology, state), memory, TimeProvider.System.GetUtcNow(), out var updates, out var error))
        {
            throw new CliException(ExitCodes.DataError, $"--payload: {error}");
        }

        return updates;
    }

    /// <summary>The stored state; a store that does not exist yet is not created: its initial state is used.</summary>
    private static async Task<RoutingState> LoadStateAsync(CutoverOptions options, RouterTopology topology, CancellationToken cancellationToken)
    {
        var initial = RoutingState.Initial(topology.RoutableCandidates.Where(static d => d != RouterTopology.FallbackDomain), TimeProvider.System.GetUtcNow());
        try
        {
            // Opening a store touches nothing; its first query would make a missing file.
            await using var store = StoreFactory.Open(options.Store.ProviderName, options.Store.ConnectionString, TimeProvider.System);
            if (store.FilePath is { } file && !File.Exists(file))
            {
                return initial;
            }

            return await store.SchemaVersionAsync(cancellationToken) == 0 ? initial : await store.LoadRoutingStateAsync(initial, cancellationToken);
        }
        catch (StoreException ex)
        {
            throw new CliException(ExitCodes.Unavailable, ex.Message);
        }
    }
}
