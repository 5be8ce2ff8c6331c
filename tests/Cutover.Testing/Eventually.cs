using System.Diagnostics;

namespace Cutover.Testing;

/// <summary>Waits for a condition to become true, checking it on a short timer, and fails with a message after a timeout.</summary>
public static class Eventually
{
    public static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        if (condition())
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var clock = Stopwatch.StartNew();
        while (await timer.WaitForNextTickAsync())
        {
            if (condition())
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }
        }
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
