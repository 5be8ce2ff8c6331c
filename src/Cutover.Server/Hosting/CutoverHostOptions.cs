using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Hosting;

/// <summary>How to build a Cutover server: the config file, settings that override it, and seams for tests and the demo.</summary>
public sealed class CutoverHostOptions
{
    /// <summary>A <c>cutover.json</c>; null to use only environment variables and <see cref="Settings"/>.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Configuration keys (<c>Cutover:Upstreams:unified:Url</c>) applied after the file and the environment.</summary>
    public IDictionary<string, string?>? Settings { get; init; }

    /// <summary>Listen here instead of <c>Cutover:Listen</c> (tests use <c>http://127.0.0.1:0</c>).</summary>
    public string? Listen { get; init; }

    /// <summary>Read <c>Cutover__…</c> environment variables (default). The demo and tests turn this off to be hermetic.</summary>
    public bool IncludeEnvironment { get; init; } = true;

    public TimeProvider? Time { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
