using System.Globalization;
using System.Text;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// The outcome of a fuzz run: answers by status, cases by mutation family, and every failure grouped by class with
/// each offending case (seed, index, mutations) and a few full examples (the body around the mutation, the answer,
/// and every request the upstreams received for it). Thread-safe.
/// </summary>
public sealed class FuzzReport
{
    private const int ExamplesPerClass = 3;
    private readonly object _gate = new();
    private readonly SortedDictionary<int, long> _statuses = [];
    private readonly SortedDictionary<string, FamilyStats> _families = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, FamilyStats> _variants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClassStats> _classes = new(StringComparer.Ordinal);
    private readonly HashSet<int> _failingCases = [];
    private long _cases;

    public FuzzReport(int seed) => Seed = seed;

    public int Seed { get; }

    public long Cases => Interlocked.Read(ref _cases);

    public int FailingCases
    {
        get
        {
            lock (_gate)
            {
                return _failingCases.Count;
            }
        }
    }

    /// <summary>Failures of every class, including those no single case accounts for.</summary>
    public long Failures
    {
        get
        {
            lock (_gate)
            {
                return _classes.Values.Sum(static c => c.Count);
            }
        }
    }

    public IReadOnlyDictionary<string, long> FailuresByClass
    {
        get
        {
            lock (_gate)
            {
                return _classes.ToDictionary(static c => c.Key, static c => c.Value.Count, StringComparer.Ordinal);
            }
        }
    }

    public long Answered(int status)
    {
        lock (_gate)
        {
            return _statuses.GetValueOrDefault(status);
        }
    }

    /// <summary>How many cases a mutation family (<c>id</c>, <c>duplicate</c>, …, <c>none</c>) appeared in.</summary>
    public long CasesOf(string family)
    {
        lock (_gate)
        {
            return _families.TryGetValue(family, out var stats) ? stats.Cases : 0;
        }
    }

    public void Add(FuzzCase c, FuzzAnswer answer, IReadOnlyList<ReceivedRequest> received, IReadOnlyList<FuzzFailure> failures)
    {
        // Only the first few cases of a class are formatted in full (the body around the mutation, every request).
        string? example = null;
        lock (_gate)
        {
            _cases++;
            _statuses[answer.Status] = _statuses.GetValueOrDefault(answer.Status) + 1;
            var families = c.Mutations.Count == 0 ? ["none"] : c.Mutations.Select(static m => m.Kind).Distinct().ToList();
            foreach (var family in families)
            {
                Stats(_families, family).Count(answer.Status, failures.Count > 0);
            }

            foreach (var mutation in c.Mutations)
            {
                Stats(_variants, $"{mutation.Kind}:{mutation.Variant}").Count(answer.Status, failures.Count > 0);
            }

            if (failures.Count == 0)
            {
                return;
            }

            _failingCases.Add(c.Index);
            foreach (var failure in failures)
            {
                var stats = Class(failure.Class);
                stats.Count++;
                if (stats.Cases.Count < stats.MaxCases && (stats.Cases.Count == 0 || stats.Cases[^1].Index != c.Index))
                {
                    stats.Cases.Add((c.Index, $"{c.Origin}: {string.Join(" + ", c.Mutations.Select(static m => Short(m.ToString(), 100)))} -> {answer.Status}: {Short(failure.Detail, 100)}"));
                }

                foreach (var mutation in c.Mutations.DefaultIfEmpty(new Mutation("none", "-", "-", FuzzExpectation.Deliver)))
                {
                    stats.ByVariant[$"{mutation.Kind}:{mutation.Variant}"] = stats.ByVariant.GetValueOrDefault($"{mutation.Kind}:{mutation.Variant}") + 1;
                }

                if (stats.Examples.Count < ExamplesPerClass && !stats.Examples.Any(e => e.StartsWith($"#{c.Index} ", StringComparison.Ordinal)))
                {
                    example ??= Example(c, answer, received, failures);
                    stats.Examples.Add(example);
                }
            }
        }
    }

    /// <summary>Failures no answer accounts for (a stray or late upstream request, a request Kestrel refused, a dead process).</summary>
    public void AddLoose(FuzzFailure failure, string? detail = null)
    {
        lock (_gate)
        {
            var stats = Class(failure.Class);
            stats.Count++;
            if (failure.CaseIndex >= 0)
            {
                _failingCases.Add(failure.CaseIndex);
            }

            if (stats.Cases.Count < stats.MaxCases)
            {
                stats.Cases.Add((failure.CaseIndex, Short(failure.Detail)));
            }

            if (detail is not null && stats.Examples.Count < ExamplesPerClass)
            {
                stats.Examples.Add($"#{failure.CaseIndex} {detail}");
            }
        }
    }

    /// <summary>The whole report: totals, per family, then each failure class with all its cases (up to <paramref name="casesPerClass"/>).</summary>
    public string Format(TimeSpan elapsed, int casesPerClass = 1000)
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            var rate = elapsed.TotalSeconds > 0 ? _cases / elapsed.TotalSeconds : 0;
            text.AppendLine(CultureInfo.InvariantCulture, $"Fuzz run: seed {Seed}, {_cases} cases in {elapsed.TotalSeconds:F1} s ({rate:F0} cases/s)");
            text.AppendLine("Answers: " + string.Join(", ", _statuses.Select(static s => $"{(s.Key == 0 ? "none" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}")));
            text.AppendLine();
            AppendTable(text, "family", _families);
            text.AppendLine();
            var failures = _classes.Values.Sum(static c => c.Count);
            if (failures == 0)
            {
                text.AppendLine("No failures.");
                return text.ToString();
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"FAILURES: {failures} in {_classes.Count} classes, {_failingCases.Count} failing cases (reproduce one: WebhookMutator(seed {Seed}).Create(index), or bench/Cutover.Fuzz --seed {Seed} --only INDEX)");
            foreach (var (name, stats) in _classes.OrderByDescending(static c => c.Value.Count).ThenBy(static c => c.Key, StringComparer.Ordinal))
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"== {name}: {stats.Count} failure(s)");
                if (stats.ByVariant.Count > 0)
                {
                    text.AppendLine("   by mutation: " + string.Join(", ", stats.ByVariant.OrderByDescending(static v => v.Value).Take(15).Select(static v => $"{v.Key} {v.Value}")));
                }

                foreach (var example in stats.Examples)
                {
                    text.AppendLine("   example " + example.Replace("\n", "\n   ", StringComparison.Ordinal));
                }

                text.AppendLine("   cases:");
                foreach (var (index, line) in stats.Cases.Take(casesPerClass))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"     #{index} {line}");
                }

                if (stats.Cases.Count > casesPerClass || stats.Count > stats.Cases.Count)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"     … {Math.Max(stats.Count, stats.Cases.Count) - Math.Min(casesPerClass, stats.Cases.Count)} more");
                }
            }

            return text.ToString();
        }
    }

    /// <summary>One line per answer status and a per-family table, for progress and the summary.</summary>
    public string Totals()
    {
        lock (_gate)
        {
            return $"{_cases} cases; answers " + string.Join(", ", _statuses.Select(static s => $"{(s.Key == 0 ? "none" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}"))
                + $"; {_classes.Values.Sum(static c => c.Count)} failures in {_classes.Count} classes ({_failingCases.Count} cases)";
        }
    }

    public string VariantTable()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            AppendTable(text, "mutation", _variants);
            return text.ToString();
        }
    }

    private static void AppendTable(StringBuilder text, string title, SortedDictionary<string, FamilyStats> rows)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"{title,-40} {"cases",8} {"200",8} {"400",8} {"401",8} {"413",8} {"other",8} {"failing",8}");
        foreach (var (name, stats) in rows)
        {
            var other = stats.Cases - stats.Status(200) - stats.Status(400) - stats.Status(401) - stats.Status(413);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{Short(name, 40),-40} {stats.Cases,8} {stats.Status(200),8} {stats.Status(400),8} {stats.Status(401),8} {stats.Status(413),8} {other,8} {stats.Failing,8}");
        }
    }

    private static FamilyStats Stats(SortedDictionary<string, FamilyStats> map, string key)
    {
        if (!map.TryGetValue(key, out var stats))
        {
            map[key] = stats = new FamilyStats();
        }

        return stats;
    }

    private ClassStats Class(string name)
    {
        if (!_classes.TryGetValue(name, out var stats))
        {
            _classes[name] = stats = new ClassStats();
        }

        return stats;
    }

    private static string Short(string text, int max = 240) => DeliveryChecker.Excerpt(text, max);

    private static string Example(FuzzCase c, FuzzAnswer answer, IReadOnlyList<ReceivedRequest> received, IReadOnlyList<FuzzFailure> failures)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"#{c.Index} {c.Describe()}");
        foreach (var failure in failures)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  failure {failure.Class}: {Short(failure.Detail, 600)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  sent {c.Body.Length} bytes, X-Hub-Signature-256: {(c.Signatures.Count == 0 ? "(none)" : string.Join(" | ", c.Signatures.Select(s => Short(s, 90))))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  body from byte {BodyAt(c)}: {WebhookMutator.Excerpt(c.Body, BodyAt(c), 480)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  answer: {Short(answer.ToString(), 400)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  upstream requests ({received.Count}):");
        foreach (var request in received)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {Describe(request)}");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>Where to start an excerpt of the body: a little before the (first) mutation.</summary>
    public static int BodyAt(FuzzCase c)
    {
        foreach (var mutation in c.Mutations)
        {
            if (mutation.At is { } at)
            {
                return Math.Max(0, at - 120);
            }

            if (!string.IsNullOrEmpty(mutation.Needle) && c.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(mutation.Needle)) is >= 0 and var found)
            {
                return Math.Max(0, found - 120);
            }
        }

        return 0;
    }

    /// <summary>One received request on one line: target, answer, headers exactly as parsed, the start of the body.</summary>
    public static string Describe(ReceivedRequest request) =>
        $"{Short(request.Method, 20)} {Short(request.Path, 60)} {request.Protocol} (connection {request.ConnectionId}) -> {request.Status}; "
        + $"headers: {string.Join(" | ", request.HeaderLines.Select(static h => $"{Short(h.Key, 60)}: {Short(h.Value, 120)}"))}; "
        + $"body {request.Body.Length} bytes: {WebhookMutator.Excerpt(request.Body, 0, 200)}";

    private sealed class FamilyStats
    {
        private readonly Dictionary<int, long> _statuses = [];

        public long Cases { get; private set; }

        public long Failing { get; private set; }

        public long Status(int status) => _statuses.GetValueOrDefault(status);

        public void Count(int status, bool failing)
        {
            Cases++;
            Failing += failing ? 1 : 0;
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }
    }

    private sealed class ClassStats
    {
        public int MaxCases => 5000;

        public long Count { get; set; }

        public List<(int Index, string Line)> Cases { get; } = [];

        public List<string> Examples { get; } = [];

        public Dictionary<string, long> ByVariant { get; } = new(StringComparer.Ordinal);
    }
}
