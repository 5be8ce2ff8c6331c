using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Cutover.Server.Hosting;

/// <summary>
/// A store role whose calls start and complete on the thread pool, whoever makes them: called under a context that
/// already keeps off socket threads (<see cref="IOffSocketContext"/>: a request other than the webhook, a hosted
/// service, the decision log's writer thread) it calls straight through; called from anywhere else (a socket engine
/// thread, code that awaited with <c>ConfigureAwait(false)</c>), the call runs on the thread pool under
/// <see cref="ThreadPoolContext"/>, so a synchronous SQLite call never holds a socket thread and the caller's
/// continuation does not land on one. <see cref="OffSocketThreads.Apply"/> puts it around every store role.
/// </summary>
/// <remarks>Not sealed: <see cref="DispatchProxy"/> derives the proxy type from it.</remarks>
internal class OffSocketStore : DispatchProxy
{
    private static readonly ConcurrentDictionary<Type, Func<Func<object?>, object>> Hops = new();
    private static readonly MethodInfo HopGeneric = typeof(OffSocketStore).GetMethod(nameof(HopTask), BindingFlags.NonPublic | BindingFlags.Static)!;

    private object _target = null!;

    /// <summary>The store this proxy calls.</summary>
    public object Target => _target;

    /// <summary><paramref name="store"/> as <paramref name="role"/>, behind the proxy (once: a proxy is returned as it is).</summary>
    public static object Wrap(Type role, object store)
    {
        if (store is OffSocketStore)
        {
            return store;
        }

        var proxy = (OffSocketStore)Create(role, typeof(OffSocketStore));
        proxy._target = store;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returns = targetMethod.ReturnType;
        var asynchronous = typeof(Task).IsAssignableFrom(returns) || returns == typeof(ValueTask);
        if (!asynchronous || SynchronizationContext.Current is IOffSocketContext)
        {
            return Call(targetMethod, args);
        }

        if (returns == typeof(ValueTask))
        {
            return new ValueTask(ThreadPoolContext.RunAsync(async () => await (ValueTask)Call(targetMethod, args)!));
        }

        // Awaited under the context, so that the task handed back completes on the pool whichever thread completed the
        // store's I/O: the caller's continuation runs there too.
        var hop = Hops.GetOrAdd(returns, static returns => returns == typeof(Task)
            ? static call => ThreadPoolContext.RunAsync(async () => await (Task)call()!)
            : HopGeneric.MakeGenericMethod(returns.GetGenericArguments()[0]).CreateDelegate<Func<Func<object?>, object>>());
        return hop(() => Call(targetMethod, args));
    }

    private static object HopTask<T>(Func<object?> call) => ThreadPoolContext.RunAsync(async () => await (Task<T>)call()!);

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
