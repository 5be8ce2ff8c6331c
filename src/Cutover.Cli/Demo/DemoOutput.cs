using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cutover.Cli.Demo;

/// <summary>
/// Where the demo writes. On a terminal: Spectre markup and a live view. Anywhere else: plain lines written whole, not
/// wrapped at the redirected console's 120 columns, so each event stays one line for grep and CI logs.
/// </summary>
internal sealed class DemoOutput(IAnsiConsole console, TextWriter plain)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>A live view can be drawn: an interactive terminal that understands ANSI cursor movement.</summary>
    public bool Live { get; } = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    public void Line(string markup = "")
    {
        if (Live)
        {
            Console.MarkupLine(markup);
        }
        else
        {
            plain.WriteLine(Markup.Remove(markup));
        }
    }

    /// <summary>Text as it is (no markup).</summary>
    public void Text(string text)
    {
        if (Live)
        {
            Console.WriteLine(text);
        }
        else
        {
            plain.WriteLine(text);
        }
    }

    /// <summary>A table or other renderable; plain output gets it without colour, at 120 columns.</summary>
    public void Write(IRenderable renderable) => Console.Write(renderable);
}
