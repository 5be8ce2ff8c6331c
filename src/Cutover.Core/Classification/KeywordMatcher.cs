using System.Buffers;
using System.Collections.Frozen;

namespace Cutover.Core.Classification;

/// <summary>
/// Finds domain keywords in message text as whole words, case- and accent-folded, in every configured
/// language. "current", "parent" and "different" do not contain the word "rent"; "border" does not
/// contain "order".
/// </summary>
/// <remarks>
/// A word also matches when it is a keyword plus a plural "s" ("apartments", "jobs"). Phrases of several
/// words match as consecutive words. When a text has keywords of several domains, the domain with the
/// most hits wins, and a tie goes to the domain whose keyword comes first.
/// </remarks>
public sealed class KeywordMatcher
{
    private const int StackLimit = 512;

    private readonly FrozenDictionary<string, Hit> _words;
    private readonly FrozenDictionary<string, Phrase[]> _phrases;
    private readonly FrozenDictionary<string, Hit>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly FrozenDictionary<string, Phrase[]>.AlternateLookup<ReadOnlySpan<char>> _phraseLookup;
    private readonly string[] _domains;

    private KeywordMatcher(Dictionary<string, Hit> words, Dictionary<string, Phrase[]> phrases, string[] domains)
    {
        _words = words.ToFrozenDictionary(StringComparer.Ordinal);
        _phrases = phrases.ToFrozenDictionary(StringComparer.Ordinal);
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _phraseLookup = _phrases.GetAlternateLookup<ReadOnlySpan<char>>();
        _domains = domains;
    }

    public static KeywordMatcher Empty { get; } = new([], [], []);

    /// <summary>How many distinct folded keywords and phrases the matcher knows.</summary>
    public int Count => _words.Count + _phrases.Sum(static p => p.Value.Length);

    /// <summary>
    /// Builds a matcher from keywords per domain (any language). Fails when one folded keyword belongs
    /// to two domains, since the text could then not say which one is meant.
    /// </summary>
    public static KeywordMatcher Build(IEnumerable<KeyValuePair<string, IEnumerable<string>>> keywordsByDomain, out IReadOnlyList<string> conflicts)
    {
        var domains = new List<string>();
        var words = new Dictionary<string, Hit>(StringComparer.Ordinal);
        var phrases = new Dictionary<string, List<Phrase>>(StringComparer.Ordinal);
        var problems = new List<string>();

        foreach (var (domain, keywords) in keywordsByDomain)
        {
            var domainIndex = domains.Count;
            domains.Add(domain);
            foreach (var keyword in keywords)
            {
                var folded = TextFolding.FoldPhrase(keyword);
                if (folded.Length == 0)
                {
                    continue;
                }

                var space = folded.IndexOf(' ');
                if (space < 0)
                {
                    if (words.TryGetValue(folded, out var existing) && existing.DomainIndex != domainIndex)
                    {
                        problems.Add($"keyword '{keyword}' is listed for both {domains[existing.DomainIndex]} and {domain}");
                        continue;
                    }

                    words.TryAdd(folded, new Hit(domainIndex, keyword));
                    continue;
                }

                var head = folded[..space];
                if (!phrases.TryGetValue(head, out var list))
                {
                    phrases[head] = list = [];
                }

                var conflict = list.FirstOrDefault(p => p.Rest == folded[(space + 1)..] && p.Hit.DomainIndex != domainIndex);
                if (conflict is not null)
                {
                    problems.Add($"keyword '{keyword}' is listed for both {domains[conflict.Hit.DomainIndex]} and {domain}");
                    continue;
                }

                list.Add(new Phrase(folded[(space + 1)..], new Hit(domainIndex, keyword)));
            }
        }

        conflicts = problems;
        var frozenPhrases = phrases.ToDictionary(
            static p => p.Key,
            static p => p.Value.OrderByDescending(static x => x.Rest.Length).ToArray(),
            StringComparer.Ordinal);
        return new KeywordMatcher(words, frozenPhrases, [.. domains]);
    }

    /// <summary>Finds the domain the text's keywords point to, if any.</summary>
    public KeywordMatch? Match(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || _domains.Length == 0)
        {
            return null;
        }

        char[]? rented = null;
        Span<char> folded = text.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        folded = folded[..text.Length];
        TextFolding.Fold(text, folded);

        Span<int> scores = stackalloc int[_domains.Length];
        Span<int> firstAt = stackalloc int[_domains.Length];
        firstAt.Fill(int.MaxValue);
        string?[]? firstKeyword = null;
        string? onlyKeyword = null;
        var onlyDomain = -1;
        var position = 0;

        try
        {
            var i = 0;
            while (i < folded.Length)
            {
                while (i < folded.Length && folded[i] == ' ')
                {
                    i++;
                }

                var start = i;
                while (i < folded.Length && folded[i] != ' ')
                {
                    i++;
                }

                if (i == start)
                {
                    break;
                }

                var word = folded[start..i];
                if (TryMatchAt(folded, start, word, out var hit))
                {
                    position++;
                    scores[hit.DomainIndex]++;
                    if (firstAt[hit.DomainIndex] == int.MaxValue)
                    {
                        firstAt[hit.DomainIndex] = position;
                        if (onlyDomain == -1)
                        {
                            onlyDomain = hit.DomainIndex;
                            onlyKeyword = hit.Keyword;
                        }
                        else
                        {
                            firstKeyword ??= new string?[_domains.Length];
                            firstKeyword[onlyDomain] ??= onlyKeyword;
                            firstKeyword[hit.DomainIndex] = hit.Keyword;
                        }
                    }
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        if (onlyDomain == -1)
        {
            return null;
        }

        if (firstKeyword is null)
        {
            return new KeywordMatch(_domains[onlyDomain], onlyKeyword!);
        }

        var best = -1;
        for (var d = 0; d < scores.Length; d++)
        {
            if (scores[d] == 0)
            {
                continue;
            }

            if (best == -1 || scores[d] > scores[best] || (scores[d] == scores[best] && firstAt[d] < firstAt[best]))
            {
                best = d;
            }
        }

        return new KeywordMatch(_domains[best], firstKeyword[best]!);
    }

    private bool TryMatchAt(ReadOnlySpan<char> folded, int start, ReadOnlySpan<char> word, out Hit hit)
    {
        if (_phrases.Count > 0 && _phraseLookup.TryGetValue(word, out var candidates))
        {
            var after = folded[(start + word.Length)..];
            foreach (var phrase in candidates)
            {
                if (StartsWithWords(after, phrase.Rest))
                {
                    hit = phrase.Hit;
                    return true;
                }
            }
        }

        if (_wordLookup.TryGetValue(word, out hit))
        {
            return true;
        }

        // A plural: "apartments" finds "apartment". Short words are left alone ("bus" is not "bu").
        if (word.Length > 3 && word[^1] == 's' && _wordLookup.TryGetValue(word[..^1], out hit))
        {
            return true;
        }

        hit = default;
        return false;
    }

    /// <summary>True when <paramref name="text"/> (which starts at a word end) continues with the words of <paramref name="rest"/>.</summary>
    private static bool StartsWithWords(ReadOnlySpan<char> text, string rest)
    {
        var i = 0;
        var r = 0;
        while (r < rest.Length)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            var wordEnd = rest.IndexOf(' ', r);
            if (wordEnd < 0)
            {
                wordEnd = rest.Length;
            }

            var expected = rest.AsSpan(r, wordEnd - r);
            if (!text[i..].StartsWith(expected, StringComparison.Ordinal))
            {
                return false;
            }

            i += expected.Length;
            if (i < text.Length && text[i] != ' ')
            {
                return false;
            }

            r = wordEnd + 1;
        }

        return true;
    }

    private readonly record struct Hit(int DomainIndex, string Keyword);

    private sealed record Phrase(string Rest, Hit Hit);
}
