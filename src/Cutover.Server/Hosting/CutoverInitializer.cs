using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Hosting;

/// <summary>
/// Runs first at start-up, before the server takes requests: applies schema migrations, sets up user
/// key hashing (<see cref="HashKeySetup"/>), and loads the routing state. A store that cannot be opened stops start-up.
/// </summary>
internal sealed class CutoverInitializer(
    IStoreDatabase store,
    ISecretStore secrets,
    UserKeyProtection protection,
    RoutingService routing,
    IOptions<CutoverOptions> options,
    SecurityWarnings warnings,
    ILogger<CutoverInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        warnings.Log(logger);
        var applied = await store.MigrateAsync(cancellationToken);
        var version = await store.SchemaVersionAsync(cancellationToken);
        LogMessages.StoreReady(logger, store.Provider, store.Location, version, applied);
        LogMessages.WebhookThreads(logger, InlineCompletions.Enabled
            ? $"inline on the socket threads ({InlineCompletions.Variable}=1)"
            : $"on the thread pool ({InlineCompletions.Variable} is not 1)");

        protection.Initialize(await new HashKeySetup(store, secrets, logger).LoadAsync(options.Value.Privacy, cancellationToken));

        await routing.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
