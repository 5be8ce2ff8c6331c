using Microsoft.Extensions.Hosting;

namespace Cutover.Server.Hosting;

/// <summary>
/// A background service whose work resumes on the thread pool after every await (<see cref="ThreadPoolContext"/>),
/// never on the socket engine thread that completed a database read or an HTTP call, where a blocking store call would
/// stall the webhooks of that thread when completions run inline (<see cref="InlineCompletions"/>).
/// </summary>
internal abstract class ThreadPoolBackgroundService : BackgroundService
{
    protected sealed override Task ExecuteAsync(CancellationToken stoppingToken) => ThreadPoolContext.RunAsync(() => RunAsync(stoppingToken));

    /// <summary>The service's work, as <see cref="BackgroundService.ExecuteAsync"/> would be.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);
}
