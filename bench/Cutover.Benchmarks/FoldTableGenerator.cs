using System.Globalization;
using System.Text;

namespace Cutover.Benchmarks;

/// <summary>
/// Writes <c>src/Cutover.Core/Classification/CompatibilityDecompositions.cs</c>, the table keyword folding
/// decomposes characters with, from a Unicode Character Database folder (Debian's <c>unicode-data</c> package
/// installs one in <c>/usr/share/unicode</c>, see below).
/// </summary>
/// <remarks>
/// The table is the full compatibility decomposition (NFKD) of every code point that has one: the
/// <c>UnicodeData.txt</c> mappings applied until nothing decomposes further, then the combining marks put in
/// canonical order. Hangul syllables are left out (the fold decomposes them arithmetically). Every entry is
/// checked against the NFKD column of <c>NormalizationTest.txt</c>, whose header also gives the version. The
/// app cannot normalise at run time (it runs with invariant globalization, where <c>string.Normalize</c>
/// returns its input), hence a table, and generated rather than hand-written.
/// <code>
/// apt-get install unicode-data      # Debian 12: Unicode 15.0.0; NormalizationTest.txt comes compressed
/// mkdir -p /tmp/ucd &amp;&amp; cp /usr/share/unicode/UnicodeData.txt /tmp/ucd/
/// bzcat /usr/share/unicode/NormalizationTest.txt.bz2 &gt; /tmp/ucd/NormalizationTest.txt
/// dotnet bench/Cutover.Benchmarks/bin/Release/net10.0/Cutover.Benchmarks.dll --fold-table /tmp/ucd \
///     &gt; src/Cutover.Core/Classification/CompatibilityDecompositions.cs
/// </code>
/// </remarks>
internal static class FoldTableGenerator
{
    private const int HangulFirst = 0xAC00;
    private const int HangulLast = 0xD7A3;

    public static int Run(string ucdFolder, TextWriter output, TextWriter error)
    {
        var data = Path.Combine(ucdFolder, "UnicodeData.txt");
        var tests = Path.Combine(ucdFolder, "NormalizationTest.txt");
        if (!File.Exists(data) || !File.Exists(tests))
        {
            error.WriteLine($"--fold-table: {ucdFolder} must hold UnicodeData.txt and NormalizationTest.txt");
            return 2;
        }

        var (mappings, classes) = ReadUnicodeData(data);
        var table = new SortedDictionary<int, int[]>();
        foreach (var cp in mappings.Keys)
        {
            table[cp] = Decompose(cp, mappings, classes);
        }

        var (version, problems) = Check(tests, table);
        if (problems.Count > 0)
        {
            foreach (var problem in problems.Take(20))
            {
                error.WriteLine(problem);
            }

            error.WriteLine($"--fold-table: {problems.Count} code points disagree with NormalizationTest.txt");
            return 1;
        }

        Write(output, version, table);
        return 0;
    }

    /// <summary>Each code point's one-step decomposition mapping (canonical or compatibility, the tag dropped) and its combining class.</summary>
    private static (Dictionary<int, int[]> Mappings, Dictionary<int, int> Classes) ReadUnicodeData(string path)
    {
        var mappings = new Dictionary<int, int[]>();
        var classes = new Dictionary<int, int>();
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(';');
            var cp = int.Parse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var combiningClass = int.Parse(fields[3], CultureInfo.InvariantCulture);
            if (combiningClass != 0)
            {
                classes[cp] = combiningClass;
            }

            var mapping = fields[5];
            if (mapping.Length == 0)
            {
                continue;
            }

            if (mapping[0] == '<')
            {
                mapping = mapping[(mapping.IndexOf('>', StringComparison.Ordinal) + 1)..];
            }

            mappings[cp] = ParseCodePoints(mapping);
        }

        return (mappings, classes);
    }

    private static int[] Decompose(int cp, Dictionary<int, int[]> mappings, Dictionary<int, int> classes)
    {
        var result = new List<int>();
        Expand(cp, mappings, result);

        // Canonical ordering: a stable sort of each run of non-starters by combining class.
        for (var i = 0; i < result.Count;)
        {
            if (!classes.ContainsKey(result[i]))
            {
                i++;
                continue;
            }

            var end = i;
            while (end < result.Count && classes.ContainsKey(result[end]))
            {
                end++;
            }

            var run = result.GetRange(i, end - i).OrderBy(c => classes[c]).ToList();
            result.RemoveRange(i, end - i);
            result.InsertRange(i, run);
            i = end;
        }

        return [.. result];
    }

    private static void Expand(int cp, Dictionary<int, int[]> mappings, List<int> into)
    {
        if (cp is >= HangulFirst and <= HangulLast)
        {
            // Unicode 3.12: L V (T), arithmetically; only used to check NormalizationTest.txt's Hangul lines.
            var index = cp - HangulFirst;
            into.Add(0x1100 + (index / (21 * 28)));
            into.Add(0x1161 + (index % (21 * 28) / 28));
            if (index % 28 != 0)
            {
                into.Add(0x11A7 + (index % 28));
            }

            return;
        }

        if (!mappings.TryGetValue(cp, out var mapping))
        {
            into.Add(cp);
            return;
        }

        foreach (var part in mapping)
        {
            Expand(part, mappings, into);
        }
    }

    /// <summary>Compares every single-code-point line of NormalizationTest.txt (its NFKD column) with the table.</summary>
    private static (string Version, List<string> Problems) Check(string path, SortedDictionary<int, int[]> table)
    {
        var version = "unknown";
        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("# NormalizationTest-", StringComparison.Ordinal))
            {
                version = line["# NormalizationTest-".Length..].Replace(".txt", string.Empty, StringComparison.Ordinal);
                continue;
            }

            if (line.Length == 0 || line[0] is '#' or '@')
            {
                continue;
            }

            var columns = line.Split(';');
            var source = ParseCodePoints(columns[0]);
            if (source.Length != 1)
            {
                continue;
            }

            var cp = source[0];
            var expected = ParseCodePoints(columns[4]);
            var actual = cp is >= HangulFirst and <= HangulLast
                ? Decompose(cp, [], [])
                : table.TryGetValue(cp, out var mapped) ? mapped : [cp];
            checkedCount++;
            if (!expected.SequenceEqual(actual))
            {
                problems.Add($"U+{cp:X4}: NFKD {Hex(expected)}, table {Hex(actual)}");
            }
        }

        if (checkedCount < 1000)
        {
            problems.Add($"only {checkedCount} single code points checked in {path}");
        }

        return (version, problems);
    }

    /// <summary>
    /// One line per code point, <c>CODE MAPPING</c>; a run of code points that map one to one onto consecutive
    /// code points (full-width and mathematical letters, circled digits) is one line, <c>FIRST..LAST FIRST-MAPPING</c>.
    /// </summary>
    private static void Write(TextWriter output, string version, SortedDictionary<int, int[]> table)
    {
        var lines = new StringBuilder();
        var lineCount = 0;
        var entries = table.Where(static e => e.Key is < HangulFirst or > HangulLast).ToList();
        for (var i = 0; i < entries.Count;)
        {
            var (cp, mapping) = (entries[i].Key, entries[i].Value);
            var end = i;
            while (mapping.Length == 1 && end + 1 < entries.Count
                && entries[end + 1].Key == entries[end].Key + 1
                && entries[end + 1].Value is [var next] && next == entries[end].Value[0] + 1)
            {
                end++;
            }

            lines.Append(cp.ToString("X4", CultureInfo.InvariantCulture));
            if (end > i)
            {
                lines.Append("..").Append(entries[end].Key.ToString("X4", CultureInfo.InvariantCulture));
            }

            lines.Append(' ').Append(Hex(mapping)).Append('\n');
            lineCount++;
            i = end + 1;
        }

        const string Quotes = "\"\"\"";
        output.Write($$"""
            // <auto-generated>
            // From the Unicode Character Database {{version}} (UnicodeData.txt, checked against NormalizationTest.txt) by
            // bench/Cutover.Benchmarks/FoldTableGenerator.cs: `Cutover.Benchmarks.dll --fold-table UCD-FOLDER`.
            // Do not edit by hand.
            // </auto-generated>

            namespace Cutover.Core.Classification;

            /// <summary>
            /// The full compatibility decomposition (NFKD) of every code point that has one, Hangul syllables excepted
            /// (<see cref="TextFolding"/> decomposes those arithmetically): {{entries.Count:N0}} code points
            /// in {{lineCount:N0}} lines.
            /// </summary>
            /// <remarks>
            /// One line per code point, <c>CODE MAPPING</c>, in hexadecimal; a line <c>FIRST..LAST MAPPING</c> maps a run of
            /// code points one to one onto consecutive code points starting at <c>MAPPING</c>.
            /// </remarks>
            internal static class CompatibilityDecompositions
            {
                public const string UnicodeVersion = "{{version}}";

                // UTF-8, read from the assembly's image: no string of it is ever made.
                public static ReadOnlySpan<byte> Table => {{Quotes}}

            """);
        output.Write(lines.ToString());
        output.Write($$"""
            {{Quotes}}u8;
            }

            """);
    }

    private static int[] ParseCodePoints(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(static s => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    private static string Hex(int[] codePoints) =>
        string.Join(' ', codePoints.Select(static c => c.ToString("X4", CultureInfo.InvariantCulture)));
}
