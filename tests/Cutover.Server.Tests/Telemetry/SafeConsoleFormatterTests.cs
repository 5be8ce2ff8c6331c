using Cutover.Server.Hosting;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.Telemetry;

public sealed class SafeConsoleFormatterTests
{
    private static string Format(string message, Exception? exception = null, LogLevel level = LogLevel.Warning, string? timestamp = null)
    {
        using var formatter = new SafeConsoleFormatter(new FixedOptions(new SimpleConsoleFormatterOptions
        {
            TimestampFormat = timestamp,
            ColorBehavior = LoggerColorBehavior.Disabled,
        }));
        using var output = new StringWriter();
        formatter.Write(new LogEntry<string>(level, "Cutover.Server.Admin.AdminApi", new EventId(5003), message, exception, static (s, _) => s), null, output);
        return output.ToString();
    }

    [Fact]
    public void Write_MessageWithEscCrLfNul_EscapedOnOneLine()
    {
        var line = Format("refused: token 'x\u001b]0;pwned\u0007\r\nforged info: y\0z\u001b[2J'");

        Assert.Equal(
            "warn: Cutover.Server.Admin.AdminApi[5003] refused: token 'x\\u001B]0;pwned\\u0007\\r\\nforged info: y\\u0000z\\u001B[2J'"
            + Environment.NewLine,
            line);
    }

    [Fact]
    public void Write_BidiOverrideAndC1_Escaped()
    {
        var line = Format("a\u202Eb\u009Bc\u2028d\te");

        Assert.EndsWith("] a\\u202Eb\\u009Bc\\u2028d\\u0009e" + Environment.NewLine, line);
    }

    [Fact]
    public void Write_CleanMessage_AsTheSimpleFormatterWritesIt()
    {
        var line = Format("Routing change by alice (percent): week 6 — 25% ✓", level: LogLevel.Information, timestamp: "HH:mm:ss ");

        Assert.Matches(@"^\d\d:\d\d:\d\d info: Cutover\.Server\.Admin\.AdminApi\[5003\] Routing change by alice \(percent\): week 6 — 25% ✓\n$", line);
    }

    [Fact]
    public void Write_Exception_OnTheSameLineWithItsControlCharactersEscaped()
    {
        Exception exception;
        try
        {
            throw new InvalidOperationException("bad\u001b[31m\r\nvalue");
        }
        catch (InvalidOperationException ex)
        {
            exception = ex;
        }

        var line = Format("Writing failed", exception, LogLevel.Error);

        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("fail: Cutover.Server.Admin.AdminApi[5003] Writing failed System.InvalidOperationException: bad\\u001B[31m  value    at ", line);
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\r', line);
    }

    [Fact]
    public void Write_HugeMessage_CutAfter4KiBSayingHowMuch()
    {
        var line = Format(new string('x', 10_000));

        var prefix = "warn: Cutover.Server.Admin.AdminApi[5003] ";
        Assert.Equal(prefix + new string('x', 4096) + " … (5,904 more characters cut)" + Environment.NewLine, line);
    }

    [Fact]
    public async Task Host_ConsoleUsesThisFormatterAndDropsLinesPastItsQueue()
    {
        await using var app = CutoverHost.Build(new CutoverHostOptions
        {
            Settings = new Dictionary<string, string?> { ["Cutover:Upstreams:unified:Url"] = "http://127.0.0.1:9/unified" },
            Listen = "http://127.0.0.1:0",
            IncludeEnvironment = false,
        });

        var console = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal(SafeConsoleFormatter.FormatterName, console.FormatterName);
        Assert.Equal(ConsoleLoggerQueueFullMode.DropWrite, console.QueueFullMode);
        Assert.Contains(app.Services.GetServices<ConsoleFormatter>(), static f => f is SafeConsoleFormatter);
    }

    private sealed class FixedOptions(SimpleConsoleFormatterOptions value) : IOptionsMonitor<SimpleConsoleFormatterOptions>
    {
        public SimpleConsoleFormatterOptions CurrentValue => value;

        public SimpleConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimpleConsoleFormatterOptions, string?> listener) => null;
    }
}
