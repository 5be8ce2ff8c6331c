using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// Turns configuration (a <c>cutover.json</c>, <c>Cutover__…</c> environment variables, and in tests an
/// in-memory dictionary, later sources winning) into checked <see cref="CutoverOptions"/>. Used by the
/// server's options pipeline and by CLI verbs that read the config without a server.
/// </summary>
public static class CutoverConfiguration
{
    /// <summary>Builds the configuration sources in order: file, environment, overrides.</summary>
    public static IConfigurationRoot Build(
        string? file, IEnumerable<KeyValuePair<string, string?>>? overrides = null, bool includeEnvironment = true)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        if (includeEnvironment)
        {
            builder.AddEnvironmentVariables();
        }

        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>
    /// Binds, applies defaults and resolves secrets. A value of the wrong type (a number, a duration, a mode's name) is
    /// left out of binding and kept as a problem that validation reports first, with every other problem of the file.
    /// </summary>
    public static void Populate(CutoverOptions options, IConfiguration configuration, Func<string, string?> environment)
    {
        var section = configuration.GetSection(CutoverOptions.SectionName);
        var typeProblems = ConfigurationTypeCheck.Check(section, typeof(CutoverOptions));
        var readable = typeProblems.Count == 0 ? section : Without(section, [.. typeProblems.Select(static p => p.Key)]);
        try
        {
            readable.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CutoverOptions), [DescribeBindError(ex, configuration)]);
        }

        options.Problems.AddRange(typeProblems.Select(p => p.UnknownKey ? p.Message + Origin(configuration, p.Key) : p.Message));
        CutoverDefaults.Apply(options, readable.GetSection(nameof(CutoverOptions.ProtectedDomains)).Exists());
        SecretResolver.Resolve(options, options.Problems, environment);
    }

    /// <summary>Reads and checks options from <paramref name="configuration"/>: the options, or every problem found.</summary>
    public static (CutoverOptions? Options, IReadOnlyList<string> Errors) Load(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        var options = new CutoverOptions();
        try
        {
            Populate(options, configuration, environment ?? Environment.GetEnvironmentVariable);
            options.Problems.InsertRange(0, UnknownRoots(configuration));
        }
        catch (OptionsValidationException ex)
        {
            return (null, [.. ex.Failures]);
        }

        var errors = new CutoverOptionsValidator().Check(options);
        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>
    /// <paramref name="section"/> without <paramref name="keys"/> and what is below them, so that the rest binds: the
    /// binder would stop at the first of them. Those options keep their defaults; their problems are reported instead.
    /// </summary>
    private static IConfigurationSection Without(IConfigurationSection section, List<string> keys)
    {
        var kept = section.AsEnumerable().Where(entry => !keys.Exists(key =>
            entry.Key.Equals(key, StringComparison.OrdinalIgnoreCase)
            || entry.Key.StartsWith(key + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)));
        return new ConfigurationBuilder().AddInMemoryCollection(kept).Build().GetSection(section.Path);
    }

    /// <summary>
    /// The top-level keys of a configuration file other than <c>Cutover</c> and <c>Logging</c> (the only two read): a
    /// misspelt <c>"Cutovr"</c> would otherwise leave the whole file unread and report every required key as missing.
    /// </summary>
    /// <remarks>
    /// Only files: the environment holds every other variable of the process. Only in <see cref="Load"/>, which reads
    /// the configuration as given (<c>serve</c> calls it before building the host): the host writes its own settings
    /// (<c>urls</c>) into every source, the file's included.
    /// </remarks>
    private static IEnumerable<string> UnknownRoots(IConfiguration configuration)
    {
        string[] known = [CutoverOptions.SectionName, "Logging"];
        return Providers(configuration)
            .OfType<JsonConfigurationProvider>()
            .SelectMany(static p => p.GetChildKeys([], null))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(key => !known.Contains(key, StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(key => ConfigurationTypeCheck.Unknown(key, key, known));
    }

    /// <summary>The sources of <paramref name="configuration"/>, those of a chained configuration included, first to last.</summary>
    private static IEnumerable<IConfigurationProvider> Providers(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            yield break;
        }

        foreach (var provider in root.Providers)
        {
            if (provider is ChainedConfigurationProvider chained)
            {
                // The host adds Cutover's own sources as one chained configuration (CutoverHost).
                foreach (var inner in Providers(chained.Configuration))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return provider;
            }
        }
    }

    /// <summary>
    /// " (from environment variable Cutover__Delivery__Mdoe)" when the environment set an unknown key, else nothing.
    /// </summary>
    /// <remarks>
    /// The report's heading names the file, so a misspelt variable would be looked for in a file that does not hold it.
    /// The key comes from the last source that holds it or anything below it, as the binder reads it.
    /// </remarks>
    private static string Origin(IConfiguration configuration, string key)
    {
        var provider = SourceOf(configuration, key);
        if (provider is not EnvironmentVariablesConfigurationProvider)
        {
            return string.Empty;
        }

        var variable = key.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal);
        return provider.TryGet(key, out _)
            ? $" (from environment variable {variable})"
            : $" (from environment variables {variable}__…)";
    }

    private static IConfigurationProvider? SourceOf(IConfiguration configuration, string key) =>
        Providers(configuration).LastOrDefault(provider => provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any());

    private static string DescribeBindError(InvalidOperationException ex, IConfiguration configuration)
    {
        // The binder says "Failed to convert configuration value at 'Cutover:X' to type 'System.Int32'." The type check
        // above leaves no such value to bind; this stays for a shape it does not foresee.
        var message = ex.Message;
        var start = message.IndexOf(" at '", StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = message.IndexOf('\'', start + 5);
            if (end > start)
            {
                var key = message[(start + 5)..end];
                var value = configuration[key];
                var type = message.Contains("'System.Int32'", StringComparison.Ordinal) ? "a whole number"
                    : message.Contains("'System.TimeSpan'", StringComparison.Ordinal) ? "a duration such as 00:30:00"
                    : message.Contains("'System.Boolean'", StringComparison.Ordinal) ? "true or false"
                    : "of the right type";
                return $"{key}: '{value}' is not {type}";
            }
        }

        return message;
    }
}
