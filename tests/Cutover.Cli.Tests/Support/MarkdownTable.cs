namespace Cutover.Cli.Tests.Support;

/// <summary>Reads the tables of a Markdown document the way GitHub does: a row is a line in pipes, cells split at unescaped pipes.</summary>
public static class MarkdownTable
{
    /// <summary>The cells of every table row (header and separator rows included), each trimmed.</summary>
    public static List<string[]> Rows(string markdown) =>
        [.. markdown.Split('\n').Where(static l => l.StartsWith('|')).Select(Cells)];

    /// <summary>The data row whose first cells are <paramref name="keys"/>.</summary>
    public static string[] Row(string markdown, params string[] keys) =>
        Assert.Single(Rows(markdown), r => r.Length >= keys.Length && r.Take(keys.Length).SequenceEqual(keys));

    public static string[] Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '|')
            {
                cell.Append("\\|");
                i++;
            }
            else if (line[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(line[i]);
            }
        }

        return [.. cells];
    }
}
