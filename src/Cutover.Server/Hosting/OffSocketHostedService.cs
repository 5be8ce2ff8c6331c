using Microsoft.Extensions.Hosting;

namespace Cutover.Server.Hosting;

/// <summary>
/// Runs a hosted service's start and stop on the thread pool under <see cref="ThreadPoolContext"/>, whose mark flows
/// into everything the service starts: a <see cref="BackgroundService"/>'s <c>ExecuteAsync</c> (which the host runs
/// through <c>Task.Run</c>) resumes on the thread pool after every await, never on the socket engine thread that
/// completed a database read or an HTTP call. <see cref="OffSocketThreads.Apply"/> puts it around every hosted service
/// Cutover registers, so no service has to remember a base class.
/// </summary>
internal sealed class OffSocketHostedService(IHostedService inner, bool owned) : IHostedLifecycleService, IDisposable, IAsyncDisposable
{
    /// <summary>The service this one runs.</summary>
    public IHostedService Inner => inner;

    public Task StartingAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? ThreadPoolContext.RunAsync(() => lifecycle.StartingAsync(cancellationToken)) : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => ThreadPoolContext.RunAsync(() => inner.StartAsync(cancellationToken));

    public Task StartedAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? ThreadPoolContext.RunAsync(() => lifecycle.StartedAsync(cancellationToken)) : Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? ThreadPoolContext.RunAsync(() => lifecycle.StoppingAsync(cancellationToken)) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => ThreadPoolContext.RunAsync(() => inner.StopAsync(cancellationToken));

    public Task StoppedAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? ThreadPoolContext.RunAsync(() => lifecycle.StoppedAsync(cancellationToken)) : Task.CompletedTask;

    public void Dispose()
    {
        if (owned && inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!owned)
        {
            return;
        }

        if (inner is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else if (inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
