using System.CommandLine;
using System.Text.Json;
using Cutover.Server.Configuration;

namespace Cutover.Cli.Commands;

/// <summary>The <c>--config FILE</c> option and reading a configuration for verbs that run without a server.</summary>
internal static class ConfigFile
{
    public const string DefaultName = "cutover.json";

    public static Option<string> Option() => new("--config", "-c")
    {
        Description = $"The configuration file [default: ./{DefaultName} when it exists; keys can also come from Cutover__… environment variables]",
        HelpName = "FILE",
    };

    /// <summary>The file to use: the option's, else ./cutover.json if present, else none (environment only).</summary>
    public static string? Resolve(string? given)
    {
        if (given is not null)
        {
            if (!File.Exists(given))
            {
                throw new CliException(ExitCodes.NoInput, $"--config: {given} does not exist");
            }

            return given;
        }

        return File.Exists(DefaultName) ? DefaultName : null;
    }

    /// <summary>Reads and checks the configuration; every problem is reported, one per line, with exit 78.</summary>
    public static CutoverOptions Load(string? file, IDictionary<string, string?>? settings = null)
    {
        IReadOnlyList<string> errors;
        CutoverOptions? options;
        try
        {
            (options, errors) = CutoverConfiguration.Load(CutoverConfiguration.Build(file, settings));
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ExitCodes.Config, Describe(ex, file));
        }

        if (options is null)
        {
            throw new CliException(ExitCodes.Config, Describe(errors, file));
        }

        return options;
    }

    /// <summary>The configuration provider wraps the parser's error; the innermost message says where the JSON breaks.</summary>
    public static string Describe(InvalidDataException ex, string? file)
    {
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner is JsonException or FormatException || ex.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase)
            ? $"{file} is not valid JSON: {inner.Message}"
            : $"{file}: {inner.Message}";
    }

    public static string Describe(IReadOnlyCollection<string> errors, string? file) =>
        $"the configuration{(file is null ? string.Empty : $" ({file})")} has {errors.Count} problem{(errors.Count == 1 ? string.Empty : "s")}:"
        + string.Concat(errors.Select(static e => Environment.NewLine + "  - " + e));
}
