using System.Globalization;
using System.Text;

namespace Cutover.Testing;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4), as <c>GET /metrics</c> serves it: what Prometheus
/// itself would refuse fails here too, with the line number, so a test that reads a value also proves the page parses.
/// </summary>
/// <remarks>
/// Checked: metric and label names, quoted and escaped label values, numbers (with <c>+Inf</c>, <c>-Inf</c>,
/// <c>NaN</c>), an optional integer timestamp, one <c># TYPE</c> per family given before its samples, a known type, no
/// series twice, and <c>le</c> on every histogram bucket.
/// </remarks>
public static class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                Comment(line, n + 1, types, sampled);
                continue;
            }

            var sample = Sample(line, n + 1);
            var family = FamilyOf(sample.Name, types);
            sampled.Add(family);
            if (types.TryGetValue(family, out var type) && type == "histogram" && sample.Name.EndsWith("_bucket", StringComparison.Ordinal)
                && !sample.Labels.ContainsKey("le"))
            {
                throw new FormatException($"line {n + 1}: a histogram bucket without 'le': {line}");
            }

            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key))
            {
                throw new FormatException($"line {n + 1}: the series {key} appears twice");
            }

            samples.Add(sample);
        }

        return new PrometheusScrape(samples, types);
    }

    private static void Comment(string line, int number, Dictionary<string, string> types, HashSet<string> sampled)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("TYPE" or "HELP"))
        {
            return; // any other comment is allowed and means nothing
        }

        if (!IsMetricName(parts[2]))
        {
            throw new FormatException($"line {number}: '{parts[2]}' is not a metric name");
        }

        if (parts[1] == "TYPE")
        {
            if (parts.Length != 4 || !Types.Contains(parts[3], StringComparer.Ordinal))
            {
                throw new FormatException($"line {number}: not a known type: {line}");
            }

            if (!types.TryAdd(parts[2], parts[3]))
            {
                throw new FormatException($"line {number}: a second TYPE for {parts[2]}");
            }

            if (sampled.Contains(parts[2]))
            {
                throw new FormatException($"line {number}: the TYPE of {parts[2]} after its samples");
            }
        }
    }

    private static PrometheusSample Sample(string line, int number)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (!IsMetricName(name))
        {
            throw new FormatException($"line {number}: '{name}' is not a metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (!IsLabelName(label) || i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"line {number}: a bad label at {start}: {line}");
                }

                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"line {number}: an unterminated label value: {line}");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        var escaped = i < line.Length ? line[i++] : '\0';
                        value.Append(escaped switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {number}: a bad escape '\\{escaped}': {line}"),
                        });
                        continue;
                    }

                    value.Append(c);
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"line {number}: the label {label} twice: {line}");
                }

                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"line {number}: expected ',' or '}}' at {i}: {line}");
                }
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {number}: expected a space before the value: {line}");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || !TryNumber(rest[0], out var number1)
            || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"line {number}: not a value and an optional timestamp: {line}");
        }

        return new PrometheusSample(name, labels, number1);
    }

    private static bool TryNumber(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>The family a sample belongs to: its name, or the histogram's or summary's name it was suffixed from.</summary>
    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
