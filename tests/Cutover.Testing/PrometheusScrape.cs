namespace Cutover.Testing;

/// <summary>A parsed scrape: every sample, and the declared type of each family.</summary>
public sealed class PrometheusScrape(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types)
{
    public IReadOnlyList<PrometheusSample> Samples => samples;

    public IReadOnlyDictionary<string, string> Types => types;

    public IReadOnlySet<string> Names => samples.Select(static s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Where(string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Label(l.Label) == l.Value));

    /// <summary>The one sample of <paramref name="name"/> with these labels (among others); fails when there is none or several.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) => Where(name, labels).Single().Value;

    public double Sum(string name, params (string Label, string Value)[] labels) => Where(name, labels).Sum(static s => s.Value);
}
