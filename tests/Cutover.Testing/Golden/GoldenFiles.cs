using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Cutover.Testing.Golden;

/// <summary>
/// One set of golden files: a folder holding one pretty-printed JSON file per response a test captured. Each
/// <see cref="Check"/> compares a response, after <see cref="GoldenScrubber"/>, with its file and remembers the first
/// difference; <see cref="Verify"/> then fails with every difference at once (file, JSON path, expected, actual), and
/// also when a file of the set was not produced any more.
/// </summary>
/// <remarks>
/// With the environment variable <c>CUTOVER_UPDATE_GOLDEN=1</c> the files are rewritten from the responses instead
/// (and files no test produced are deleted): run the tests once that way after a deliberate change of the output, then
/// review the diff of <c>Golden/</c> like any other change. Refused when <c>CI=true</c>: CI compares, it never rewrites.
/// The folder is the test project's <c>Golden/</c> in the source tree (assembly metadata <c>CutoverGolden</c>), not
/// the build output, so a rewrite lands where git sees it.
/// </remarks>
public sealed partial class GoldenFiles
{
    public const string UpdateVariable = "CUTOVER_UPDATE_GOLDEN";

    private readonly GoldenScrubber _scrubber;
    private readonly List<string> _differences = [];
    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);

    private GoldenFiles(string directory, GoldenScrubber scrubber)
    {
        Directory = directory;
        _scrubber = scrubber;
        Updating = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        if (Updating && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{UpdateVariable}=1 on CI: golden files are rewritten on a developer's machine and reviewed, never by CI");
        }
    }

    /// <summary>The folder of this set.</summary>
    public string Directory { get; }

    /// <summary>Whether this run rewrites the files (<c>CUTOVER_UPDATE_GOLDEN=1</c>) rather than comparing.</summary>
    public bool Updating { get; }

    /// <summary>The set <paramref name="set"/> under the <c>Golden/</c> folder of the test project that built <paramref name="testAssembly"/>.</summary>
    public static GoldenFiles For(Assembly testAssembly, string set, GoldenScrubber? scrubber = null)
    {
        var root = testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(static a => a.Key == "CutoverGolden")?.Value
            ?? throw new InvalidOperationException(
                $"{testAssembly.GetName().Name} has no CutoverGolden assembly metadata: add it to its .csproj (see Cutover.Server.Tests.csproj)");
        return new GoldenFiles(Path.Combine(root, set), scrubber ?? GoldenScrubber.Default);
    }

    /// <summary>Compares a JSON text (a CLI's output, say) with <c>{name}.json</c>.</summary>
    public void Check(string name, string json)
    {
        var file = Claim(name + ".json");
        Compare(file, json);
    }

    /// <summary>
    /// Compares an HTTP answer with <c>{name}.{status}.json</c>: the status code is part of the file's name, so an
    /// answer with another status finds no file and fails. The body must be <c>application/json</c>.
    /// </summary>
    public async Task CheckAsync(string name, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var file = Claim($"{name}.{status}.json");
        var body = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: "application/json" })
        {
            _differences.Add($"{file}: the answer is {response.Content.Headers.ContentType?.ToString() ?? "without a content type"}, not application/json: {body}");
            return;
        }

        Compare(file, body);
    }

    /// <summary>Fails with every difference found, and with every file of the set that no check produced.</summary>
    public void Verify()
    {
        var stale = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileName).Where(f => !_checked.Contains(f!)).Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in stale)
        {
            if (Updating)
            {
                File.Delete(Path.Combine(Directory, file!));
            }
            else
            {
                _differences.Add($"{file}: no check produced it any more (an answer was dropped from the scenario, or renamed)");
            }
        }

        if (_differences.Count == 0)
        {
            return;
        }

        var message = new StringBuilder()
            .Append(_differences.Count).Append(" golden difference(s) in ").Append(Directory).Append(':');
        foreach (var difference in _differences)
        {
            message.Append("\n  ").Append(difference);
        }

        message.Append($"\nIf the change is deliberate, run the tests with {UpdateVariable}=1 to rewrite the files, and review the diff.");
        throw new GoldenMismatchException(message.ToString());
    }

    private string Claim(string file)
    {
        if (!FileName().IsMatch(file))
        {
            throw new ArgumentException($"golden file names are lower-case words and digits joined by '-' or '.': '{file}'", nameof(file));
        }

        if (!_checked.Add(file))
        {
            throw new InvalidOperationException($"{file} is checked twice in one set: give each answer its own name");
        }

        return file;
    }

    private void Compare(string file, string json)
    {
        System.Text.Json.Nodes.JsonNode? actual;
        try
        {
            actual = GoldenJson.Parse(json, "the answer");
            _scrubber.Scrub(actual);
        }
        catch (GoldenMismatchException ex)
        {
            _differences.Add($"{file}: {ex.Message}");
            return;
        }

        var text = GoldenJson.Format(actual);
        var path = Path.Combine(Directory, file);
        if (Updating)
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (!File.Exists(path) || File.ReadAllText(path) != text)
            {
                File.WriteAllText(path, text);
            }

            return;
        }

        if (!File.Exists(path))
        {
            var stem = file[..file.IndexOf('.', StringComparison.Ordinal)];
            var others = System.IO.Directory.Exists(Directory)
                ? System.IO.Directory.GetFiles(Directory, stem + ".*.json").Select(Path.GetFileName).ToList()
                : [];
            _differences.Add($"{file}: there is no such golden file" + (others.Count > 0
                ? $" (there is {string.Join(", ", others)}: the status changed?)"
                : string.Empty) + $"; the answer was: {json}");
            return;
        }

        var expected = GoldenJson.Parse(File.ReadAllText(path), path);
        if (GoldenJson.FirstDifference(expected, actual) is { } difference)
        {
            _differences.Add($"{file}: {difference}");
        }
    }

    [GeneratedRegex(@"^[a-z0-9]+([.-][a-z0-9]+)*\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
