using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cutover.Testing.Golden;

/// <summary>
/// Reads, writes and compares golden JSON. Objects keep their properties in the order the server wrote them, and the
/// comparison walks them in that order, so a renamed, removed, added or moved field is a difference. Numbers are
/// compared by their text (<c>10.00</c> is not <c>10</c>: the decimal scale is what the server writes).
/// </summary>
public static class GoldenJson
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        // Readable in a diff: apostrophes, ×, ≥ and the like as themselves. Escaping is not compared, only values.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>Parses a body; a body that is not JSON fails with the body in the message.</summary>
    public static JsonNode? Parse(string json, string what)
    {
        try
        {
            return JsonNode.Parse(json, NodeOptions, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new GoldenMismatchException($"{what} is not JSON ({ex.Message}):\n{json}");
        }
    }

    /// <summary>Indented by two spaces, with a final new line, as the golden files are kept.</summary>
    public static string Format(JsonNode? node) => (node?.ToJsonString(Indented) ?? "null") + "\n";

    public static string PathText(IEnumerable<string> path)
    {
        var text = new StringBuilder("$");
        foreach (var segment in path)
        {
            text.Append(segment.StartsWith('[') ? segment : "." + segment);
        }

        return text.ToString();
    }

    /// <summary>Where <paramref name="actual"/> first differs from <paramref name="expected"/>, in document order, or null.</summary>
    public static string? FirstDifference(JsonNode? expected, JsonNode? actual) => Difference(expected, actual, []);

    private static string? Difference(JsonNode? expected, JsonNode? actual, List<string> path)
    {
        var expectedKind = KindOf(expected);
        var actualKind = KindOf(actual);
        if (expectedKind != actualKind)
        {
            return $"{PathText(path)}: expected {Show(expected)}, actual {Show(actual)}";
        }

        switch (expected)
        {
            case JsonObject e:
                {
                    var a = (JsonObject)actual!;
                    var expectedNames = e.Select(static p => p.Key).ToList();
                    var actualNames = a.Select(static p => p.Key).ToList();
                    for (var i = 0; i < Math.Max(expectedNames.Count, actualNames.Count); i++)
                    {
                        if (i >= actualNames.Count || i >= expectedNames.Count || expectedNames[i] != actualNames[i])
                        {
                            var expectedName = i < expectedNames.Count ? $"\"{expectedNames[i]}\"" : "no more properties";
                            var actualName = i < actualNames.Count ? $"\"{actualNames[i]}\"" : "no more properties";
                            return $"{PathText(path)}: property #{i + 1} expected {expectedName}, actual {actualName} "
                                + $"(expected properties: {string.Join(", ", expectedNames)}; actual: {string.Join(", ", actualNames)})";
                        }

                        path.Add(expectedNames[i]);
                        var inner = Difference(e[expectedNames[i]], a[actualNames[i]], path);
                        path.RemoveAt(path.Count - 1);
                        if (inner is not null)
                        {
                            return inner;
                        }
                    }

                    return null;
                }

            case JsonArray e:
                {
                    var a = (JsonArray)actual!;
                    for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                    {
                        path.Add($"[{i}]");
                        var inner = Difference(e[i], a[i], path);
                        path.RemoveAt(path.Count - 1);
                        if (inner is not null)
                        {
                            return inner;
                        }
                    }

                    return e.Count == a.Count
                        ? null
                        : $"{PathText(path)}: expected {e.Count} items, actual {a.Count}"
                            + (a.Count > e.Count ? $"; the first extra one is {Show(a[e.Count])}" : $"; the first missing one is {Show(e[a.Count])}");
                }

            default:
                {
                    var expectedText = expected?.ToJsonString(Compact) ?? "null";
                    var actualText = actual?.ToJsonString(Compact) ?? "null";
                    if (expectedText == actualText)
                    {
                        return null;
                    }

                    if (expectedText.Length <= 300 && actualText.Length <= 300)
                    {
                        return $"{PathText(path)}: expected {expectedText}, actual {actualText}";
                    }

                    // A long sentence: show where it starts to differ.
                    var at = 0;
                    while (at < expectedText.Length && at < actualText.Length && expectedText[at] == actualText[at])
                    {
                        at++;
                    }

                    var from = Math.Max(0, at - 60);
                    return $"{PathText(path)}: differs from character {at}: expected …{Window(expectedText, from)}, actual …{Window(actualText, from)}";
                }
        }
    }

    private static string Window(string text, int from) => from >= text.Length ? "(end)" : text[from..Math.Min(text.Length, from + 160)] + "…";

    private static JsonValueKind KindOf(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        // true and false are one kind here, so that a flipped flag reads as a changed value.
        _ => node.GetValueKind() is JsonValueKind.False ? JsonValueKind.True : node.GetValueKind(),
    };

    /// <summary>A value as compact JSON, cut short if long, for a message.</summary>
    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString(Compact) ?? "null";
        return text.Length <= 300 ? text : text[..300] + "…";
    }
}
