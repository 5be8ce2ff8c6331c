using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cutover.Testing.Golden;

/// <summary>
/// Replaces the few values of the admin API's JSON and the CLI's <c>--json</c> that differ from run to run even on a
/// fake clock, each by a named placeholder, chosen by where the value sits (a JSON path), never by a search over the
/// text: a timestamp, count or id anywhere else is compared as it is, so a real change still shows.
/// </summary>
/// <remarks>
/// A rule replaces only a string, and only one that has the shape it expects: a value of another shape at that path
/// fails the check instead of being hidden, so a field that changes what it holds still shows. A value that is
/// <c>null</c>, an object or a number at a rule's path is left alone and compared.
/// Not scrubbed, because the golden hosts make them deterministic: every time (the server's <c>TimeProvider</c> is a
/// <c>FakeTimeProvider</c>, so latencies are 0 too), the hashed user keys (<c>Privacy:HashKey</c> is fixed), message
/// ids, buckets (the salt is the default), audit ids and routing versions.
/// </remarks>
public sealed class GoldenScrubber
{
    private readonly IReadOnlyList<Rule> _rules;

    private GoldenScrubber(IReadOnlyList<Rule> rules) => _rules = rules;

    /// <summary>The rules every golden test uses.</summary>
    public static GoldenScrubber Default { get; } = new([
        // Host name, process id and a random part (InstanceIdentity): in status, rollout answers and change answers.
        new("**.instance.id", "<instance-id>", @"^.+-[0-9]+-[0-9a-f]{6}$"),
        // /readyz names the answering instance as a plain string.
        new("$.instance", "<instance-id>", @"^.+-[0-9]+-[0-9a-f]{6}$"),
        // The SQLite file sits in a new temporary folder per run.
        new("**.store.location", "<store-location>", @"^/.+/cutover\.db$"),
        // The assembly version: it moves with a release, not with a refactor, and is checked for its shape here.
        new("**.server_version", "<server-version>", @"^[0-9]+\.[0-9]+\.[0-9]+$"),
        // A UUIDv7 whose 74 low bits are random (CorrelationIds); only set on a webhook 502.
        new("**.correlation_id", "<correlation-id>", @"^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$"),
    ]);

    /// <summary>Replaces, in place, every value a rule names; throws when such a value does not have the expected shape.</summary>
    public void Scrub(JsonNode? root)
    {
        var problems = new List<string>();
        Visit(root, [], problems);
        if (problems.Count > 0)
        {
            throw new GoldenMismatchException(
                "a value the golden scrubber replaces does not have the shape it expects (so it changed):\n  " + string.Join("\n  ", problems));
        }
    }

    private void Visit(JsonNode? node, List<string> path, List<string> problems)
    {
        switch (node)
        {
            case JsonObject obj:
                // Copy first: a scrubbed value is replaced while the object is walked.
                foreach (var (name, child) in obj.ToList())
                {
                    path.Add(name);
                    if (child is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String
                        && _rules.FirstOrDefault(r => r.Matches(path)) is { } rule)
                    {
                        var text = value.GetValue<string>();
                        if (!rule.Shape.IsMatch(text))
                        {
                            problems.Add($"{GoldenJson.PathText(path)}: '{text}' is not {rule.Placeholder}");
                        }

                        obj[name] = rule.Placeholder;
                    }
                    else
                    {
                        Visit(child, path, problems);
                    }

                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add($"[{i}]");
                    Visit(array[i], path, problems);
                    path.RemoveAt(path.Count - 1);
                }

                break;
        }
    }

    /// <summary>
    /// A path pattern: <c>$</c> is the root, names are property names, <c>[]</c> any array item and <c>**</c> any
    /// number of steps (<c>**.instance.id</c> is <c>$.instance.id</c>, <c>$.status.instance.id</c>, …).
    /// </summary>
    private sealed class Rule(string pattern, string placeholder, string shape)
    {
        private readonly string[] _segments = pattern.StartsWith("$.", StringComparison.Ordinal)
            ? pattern[2..].Split('.')
            : pattern.Split('.');

        public string Placeholder { get; } = placeholder;

        public Regex Shape { get; } = new(shape, RegexOptions.CultureInvariant);

        public bool Matches(List<string> path) => Match(0, path, 0);

        private bool Match(int s, List<string> path, int p)
        {
            if (s == _segments.Length)
            {
                return p == path.Count;
            }

            if (_segments[s] == "**")
            {
                for (var skip = p; skip <= path.Count; skip++)
                {
                    if (Match(s + 1, path, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (p == path.Count)
            {
                return false;
            }

            var segment = path[p];
            var hit = _segments[s] == "[]" ? segment.StartsWith('[') : string.Equals(_segments[s], segment, StringComparison.Ordinal);
            return hit && Match(s + 1, path, p + 1);
        }
    }
}
