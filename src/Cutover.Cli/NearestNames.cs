namespace Cutover.Cli;

/// <summary>
/// The known names nearest a mistyped one (a verb, a subcommand, a history kind), for "did you mean …?": by edit
/// distance with swapped neighbours counted as one edit (<c>stauts</c> is one edit from <c>status</c>), and only when
/// close enough that the guess is likely right.
/// </summary>
internal static class NearestNames
{
    /// <summary>The names nearest <paramref name="typed"/>, if it is close and not one of them; else none.</summary>
    public static IReadOnlyList<string> Find(string typed, IEnumerable<string> known)
    {
        var names = known.Distinct(StringComparer.Ordinal).ToList();
        if (names.Contains(typed, StringComparer.Ordinal))
        {
            return [];
        }

        // Nearest by edits, then by length: "stauts" is one edit from "stats" and from "status", but a swap keeps the
        // length, and a swap is the likelier slip.
        var best = (Edits: int.MaxValue, Length: int.MaxValue);
        var nearest = new List<string>();
        foreach (var name in names)
        {
            // Case counts for nothing: "Status" is a fine guess for "status".
            var distance = Distance(typed.ToLowerInvariant(), name.ToLowerInvariant());

            // One edit in a short name, two in a longer one: three edits turn most words into others.
            if (distance > (Math.Min(typed.Length, name.Length) <= 4 ? 1 : 2))
            {
                continue;
            }

            var rank = (Edits: distance, Length: Math.Abs(typed.Length - name.Length));
            if (rank.CompareTo(best) > 0)
            {
                continue;
            }

            if (rank.CompareTo(best) < 0)
            {
                best = rank;
                nearest.Clear();
            }

            nearest.Add(name);
        }

        nearest.Sort(StringComparer.Ordinal);
        return nearest;
    }

    /// <summary>"did you mean 'status'?", or "did you mean 'rollback' or 'rollbacks'?"; empty when there is no guess.</summary>
    public static string DidYouMean(IReadOnlyList<string> names) => names.Count == 0
        ? string.Empty
        : "did you mean " + string.Join(" or ", names.Select(static n => $"'{n}'")) + "?";

    /// <summary>The optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
