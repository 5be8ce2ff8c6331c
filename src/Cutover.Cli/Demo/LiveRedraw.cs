using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cutover.Cli.Demo;

/// <summary>
/// The demos' live display loop: runs the walk and, a few times a second on its own loop, redraws the latest look when
/// it changed, so drawing never slows the walk. The last frame stays on screen.
/// </summary>
internal static class LiveRedraw
{
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(200);

    public static Task RunAsync<TLook>(IAnsiConsole console, Func<Task> walk, Func<TLook?> latest, Func<TLook, IRenderable> render)
        where TLook : class =>
        console.Live(new Markup("[grey]starting…[/]"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async live =>
            {
                var walking = walk();
                TLook? shown = null;
                while (true)
                {
                    var done = await Task.WhenAny(walking, Task.Delay(RedrawEvery)) == walking;
                    if (latest() is { } look && !ReferenceEquals(look, shown))
                    {
                        live.UpdateTarget(render(look));
                        live.Refresh();
                        shown = look;
                    }

                    if (done)
                    {
                        await walking;
                        return;
                    }
                }
            });
}
