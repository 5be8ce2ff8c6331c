using Cutover.Server.Configuration;

namespace Cutover.Server.Tests.Configuration;

/// <summary>A configuration that starts (the eight upstreams, nothing else), and reading one as the CLI does.</summary>
internal static class ConfigSettings
{
    public static Dictionary<string, string?> Valid()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var name in new[] { "unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = $"http://127.0.0.1:9/{name}";
        }

        return settings;
    }

    public static Dictionary<string, string?> Valid(params (string Key, string? Value)[] changes)
    {
        var settings = Valid();
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static (CutoverOptions? Options, IReadOnlyList<string> Errors) Load(Dictionary<string, string?> settings, Func<string, string?>? env = null) =>
        CutoverConfiguration.Load(CutoverConfiguration.Build(null, settings, includeEnvironment: false), env ?? (static _ => null));

    public static IReadOnlyList<string> Errors(Dictionary<string, string?> settings, Func<string, string?>? env = null) => Load(settings, env).Errors;
}
