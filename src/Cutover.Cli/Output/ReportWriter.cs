using System.Text;
using System.Text.RegularExpressions;

namespace Cutover.Cli.Output;

/// <summary>
/// Writes the blocks of a report (title, sections, labelled fields, items, tables, lines) as Markdown or as plain
/// aligned text, so both formats carry the same content. Every string handed in is treated as data: in Markdown
/// it is escaped, in both formats line breaks and other control characters become spaces, because a reason or a
/// handler name comes from whoever called the admin API or answered a webhook, and one newline or '|' would break
/// a table or a list item.
/// </summary>
internal sealed partial class ReportWriter(ReportFormat format)
{
    private readonly StringBuilder _out = new();

    // A blank line between blocks: in Markdown a line right after a list item would continue that item.
    private bool _gap;

    // A list right after a line belongs to it ("Issues observed:"); Markdown lets a list interrupt a paragraph.
    private bool _afterLine;

    private bool Markdown => format == ReportFormat.Markdown;

    public void Title(string title, string subtitle)
    {
        if (Markdown)
        {
            _out.Append("# ").Append(EscapeMarkdown(title)).Append("\n\n").Append(EscapeMarkdown(subtitle)).Append('\n');
        }
        else
        {
            var text = Flatten(title);
            _out.Append(text).Append('\n').Append('=', text.Length).Append('\n').Append(Flatten(subtitle)).Append('\n');
        }

        _gap = true;
    }

    public void Section(string name)
    {
        if (Markdown)
        {
            _out.Append("\n## ").Append(EscapeMarkdown(name)).Append("\n\n");
        }
        else
        {
            var text = Flatten(name);
            _out.Append('\n').Append(text).Append('\n').Append('-', text.Length).Append('\n');
        }

        (_gap, _afterLine) = (false, false);
    }

    /// <summary>"Label: value" lines; in text the values line up.</summary>
    public void Fields(IReadOnlyList<(string Label, string Value)> fields)
    {
        Gap();
        var width = fields.Count == 0 ? 0 : fields.Max(static f => Flatten(f.Label).Length) + 1;
        foreach (var (label, value) in fields)
        {
            if (Markdown)
            {
                _out.Append("- **").Append(EscapeMarkdown(label)).Append(":** ").Append(EscapeMarkdown(value)).Append('\n');
            }
            else
            {
                _out.Append((Flatten(label) + ":").PadRight(width)).Append("  ").Append(Flatten(value)).Append('\n');
            }
        }
    }

    /// <summary>A list whose items start with a highlighted lead (a check's name) and continue in plain words.</summary>
    public void Items(IReadOnlyList<(string Lead, string Text)> items)
    {
        if (!_afterLine)
        {
            Gap();
        }

        (_afterLine, _gap) = (false, true);
        foreach (var (lead, text) in items)
        {
            if (Markdown)
            {
                _out.Append("- **").Append(EscapeMarkdown(lead)).Append("** ").Append(EscapeMarkdown(text)).Append('\n');
            }
            else
            {
                _out.Append("- ").Append(Flatten(lead)).Append(' ').Append(Flatten(text)).Append('\n');
            }
        }
    }

    public void Line(string text)
    {
        Gap();
        _out.Append(Markdown ? EscapeMarkdown(text) : Flatten(text)).Append('\n');
        _afterLine = true;
    }

    /// <summary>A table padded to its widest cells, so the Markdown source reads as well as the rendered page.</summary>
    public void Table(IReadOnlyList<(string Header, bool Right)> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Gap();
        var cells = rows.Select(row => columns.Select((_, i) => Cell(i < row.Count ? row[i] : string.Empty)).ToArray()).ToList();
        var headers = columns.Select(c => Cell(c.Header)).ToArray();
        var widths = headers.Select((h, i) => Math.Max(Markdown ? 3 : 1, cells.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        WriteRow(headers);
        if (Markdown)
        {
            _out.Append('|');
            for (var i = 0; i < columns.Count; i++)
            {
                _out.Append(columns[i].Right ? new string('-', widths[i] + 1) + ":" : new string('-', widths[i] + 2)).Append('|');
            }

            _out.Append('\n');
        }
        else
        {
            WriteRow([.. widths.Select(static w => new string('-', w))]);
        }

        foreach (var row in cells)
        {
            WriteRow(row);
        }

        void WriteRow(string[] row)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                var cell = columns[i].Right ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]);
                line.Append(Markdown ? "| " : i == 0 ? string.Empty : "  ").Append(cell).Append(Markdown ? " " : string.Empty);
            }

            _out.Append((Markdown ? line.Append('|').ToString() : line.ToString()).TrimEnd()).Append('\n');
        }
    }

    public override string ToString() => _out.ToString();

    /// <summary>
    /// Text that Markdown (CommonMark and GitHub's tables) shows as written: line breaks become spaces, and the
    /// characters that start emphasis, code, links, HTML, entities, strikethrough or a table cell are
    /// backslash-escaped. An underscore inside a word (<c>error_rate</c>) is left alone: it cannot emphasise.
    /// </summary>
    public static string EscapeMarkdown(string text)
    {
        var flat = Flatten(text);
        var escaped = new StringBuilder(flat.Length + 8);
        for (var i = 0; i < flat.Length; i++)
        {
            var c = flat[i];
            var escape = c switch
            {
                '\\' or '`' or '*' or '[' or ']' or '<' or '|' or '~' => true,
                '_' => !(i > 0 && char.IsLetterOrDigit(flat[i - 1]) && i + 1 < flat.Length && char.IsLetterOrDigit(flat[i + 1])),
                '&' => Entity().IsMatch(flat, i),
                _ => false,
            };
            if (escape)
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>One line: CR LF, LF, tabs, other control characters and Unicode line separators each become one space.</summary>
    public static string Flatten(string text)
    {
        var flat = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                continue;
            }

            flat.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? ' ' : c);
        }

        return flat.ToString();
    }

    private void Gap()
    {
        _afterLine = false;
        if (_gap)
        {
            _out.Append('\n');
        }

        _gap = true;
    }

    // What CommonMark reads as a character reference (&amp;, &#124;, &#x7C;): shown as its character unless escaped.
    [GeneratedRegex(@"\G&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")]
    private static partial Regex Entity();

    private string Cell(string text) => Markdown ? EscapeMarkdown(text) : Flatten(text);
}
