using System.Reflection;

namespace Cutover.Testing;

/// <summary>The real WhatsApp webhook payloads copied from ../shared/corpus (pywa fixtures, MIT).</summary>
public static class Corpus
{
    public static string Directory { get; } = typeof(Corpus).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(static a => a.Key == "CutoverCorpus").Value!;

    public static IReadOnlyList<string> Files => [.. System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)];

    public static IEnumerable<string> Names => Files.Select(static f => Path.GetFileName(f));

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));
}
