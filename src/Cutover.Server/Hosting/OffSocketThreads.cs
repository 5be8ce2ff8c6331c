using Cutover.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cutover.Server.Hosting;

/// <summary>
/// The one place that owns the rule "nothing blocks a socket thread" (docs/threading.md). When completions run inline
/// (<see cref="InlineCompletions"/>), a socket engine thread (one per core) serves every connection registered with it,
/// so a blocking call there stalls all of them, and a wait that needs the same thread never ends. Only the webhook runs
/// there; it never blocks (a test runs it under a detector, and the analyzers ban blocking waits in <c>HotPath/</c>).
/// Everything else is kept off those threads here, by construction rather than by each piece remembering to:
/// <list type="number">
/// <item>every request but the webhook runs on the thread pool (<see cref="Requests"/>);</item>
/// <item>every hosted service registered by Cutover starts, runs and stops on the thread pool, awaits included
/// (<see cref="OffSocketHostedService"/>): a plain <see cref="BackgroundService"/> is enough;</item>
/// <item>every store role the container hands out starts its calls on the thread pool and completes them there
/// (<see cref="OffSocketStore"/>), whoever calls it.</item>
/// </list>
/// </summary>
internal static class OffSocketThreads
{
    /// <summary>The only path that stays where its socket completed.</summary>
    public const string WebhookPath = "/webhook";

    /// <summary>
    /// Middleware: the webhook runs where its socket completed (a socket engine thread when completions run inline);
    /// every other request may block on the store, so it runs on the thread pool, under <see cref="ThreadPoolContext"/>.
    /// </summary>
    public static Task Requests(HttpContext context, RequestDelegate next) =>
        context.Request.Path.StartsWithSegments(WebhookPath) ? next(context) : ThreadPoolContext.RunAsync(() => next(context));

    /// <summary>
    /// Applies rules 2 and 3 to every registration but those in <paramref name="except"/>: Cutover's own and those of
    /// the host's <c>ConfigureServices</c>, not the web server's (registered before them: Kestrel is the socket side).
    /// Call once every service is registered. Each registration keeps its place (OpenTelemetry puts its own first).
    /// </summary>
    public static void Apply(IServiceCollection services, IReadOnlySet<ServiceDescriptor> except)
    {
        var storeAssembly = typeof(ICutoverStore).Assembly;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.IsKeyedService || except.Contains(descriptor))
            {
                continue;
            }

            if (descriptor.ServiceType == typeof(IHostedService))
            {
                services[i] = Wrap(descriptor, static (service, owned) => new OffSocketHostedService((IHostedService)service, owned));
            }
            else if (descriptor.ServiceType.IsInterface && descriptor.ServiceType.Assembly == storeAssembly
                && descriptor.Lifetime == ServiceLifetime.Singleton)
            {
                var role = descriptor.ServiceType;
                services[i] = Wrap(descriptor, (service, _) => OffSocketStore.Wrap(role, service));
            }
        }
    }

    /// <summary>
    /// The same registration, its instance passed through <paramref name="wrap"/>; <c>owned</c> says whether the wrapper
    /// is the only one that holds it (made for this registration alone, so the wrapper disposes it).
    /// </summary>
    private static ServiceDescriptor Wrap(ServiceDescriptor descriptor, Func<object, bool, object> wrap)
    {
        if (descriptor.ImplementationInstance is { } instance)
        {
            return new ServiceDescriptor(descriptor.ServiceType, wrap(instance, false));
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return new ServiceDescriptor(descriptor.ServiceType, sp => wrap(factory(sp), true), descriptor.Lifetime);
        }

        var type = descriptor.ImplementationType!;
        return new ServiceDescriptor(descriptor.ServiceType, sp => wrap(ActivatorUtilities.CreateInstance(sp, type), true), descriptor.Lifetime);
    }
}
