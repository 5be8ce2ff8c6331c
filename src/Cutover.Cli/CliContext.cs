using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Cutover.Cli;

/// <summary>What a verb needs to run: its parsed arguments, where to write, and the shared options.</summary>
internal sealed class CliContext(ParseResult parse, CommonOptions common, TextWriter output, TextWriter error)
{
    private IAnsiConsole? _console;

    public ParseResult Parse { get; } = parse;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool Json => Parse.GetValue(common.Json);

    /// <summary>A Spectre console over <see cref="Out"/>: colours only on a real terminal, 120 columns when redirected.</summary>
    public IAnsiConsole Console => _console ??= CreateConsole(Out);

    public AdminClient Admin() => new(common.ServerUrl(Parse), common.TokenValue(Parse));

    public void WriteJson<T>(T value, JsonTypeInfo<T> type)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, CliJson.Indented(type)));
    }

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var terminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!terminal)
        {
            console.Profile.Width = 120;
        }

        return console;
    }
}
