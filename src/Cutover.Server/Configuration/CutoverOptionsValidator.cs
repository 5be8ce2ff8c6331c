using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// Everything start-up checks, in this order: what reading found (values of the wrong type, <c>env:</c> secrets that
/// are not set), the rules of single keys (<see cref="CutoverOptionsFieldValidator"/>, generated from the annotations),
/// the rules across keys (<see cref="CutoverOptionsRulesValidator"/>), and, once all of those pass, the router's
/// topology (a keyword listed for two domains). The one validator registered (ValidateOnStart), so that the order holds.
/// </summary>
/// <remarks>
/// A problem about a key that an earlier stage already reported is left out: a value that could not be read keeps its
/// default and is not also "missing" or "below" something, and a secret whose variable is not set is not also too short.
/// </remarks>
internal sealed class CutoverOptionsValidator : IValidateOptions<CutoverOptions>
{
    private readonly CutoverOptionsFieldValidator _fields = new();
    private readonly UpstreamOptionsFieldValidator _upstreams = new();
    private readonly CutoverOptionsRulesValidator _rules = new();

    public ValidateOptionsResult Validate(string? name, CutoverOptions options)
    {
        var problems = Check(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem of <paramref name="options"/>, each starting with its key; empty when there is none.</summary>
    public List<string> Check(CutoverOptions options)
    {
        var problems = new List<string>(options.Problems);
        var fields = Failures(_fields.Validate(ConfigKey.Root, options)).ToList();
        foreach (var (name, upstream) in options.Upstreams)
        {
            fields.AddRange(Failures(_upstreams.Validate(ConfigKey.Entry(nameof(CutoverOptions.Upstreams), name), upstream)));
        }

        AddUnreported(problems, fields);
        AddUnreported(problems, Failures(_rules.Validate(ConfigKey.Root, options)));
        if (problems.Count == 0)
        {
            // Only on names and upstreams already known good: the topology's own messages assume them.
            TopologyFactory.TryCreate(options, out var topology);
            problems.AddRange(topology.Select(static p => "Cutover:Domains: " + p));
        }

        return problems;
    }

    private static IEnumerable<string> Failures(ValidateOptionsResult result) => result.Failed ? result.Failures ?? [] : [];

    private static void AddUnreported(List<string> problems, IEnumerable<string> stage)
    {
        var reported = problems.Select(ConfigKey.Of).ToHashSet(StringComparer.OrdinalIgnoreCase);
        problems.AddRange(stage.Where(p => !reported.Contains(ConfigKey.Of(p))));
    }
}
