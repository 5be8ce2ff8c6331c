using System.Buffers;
using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    // How much longer than the text its folded copy may grow: far more than any real text needs (each U+FDFA adds 17
    // characters, so it takes 7,710 of them), and a bound on what a hostile 4 MB text can make the fold rent (a
    // 1.4-million-character text of U+FDFA would otherwise fold to 25 million characters).
    private const int MaxGrowth = 128 * 1024;
    private const int ShapeBits = 8192;

    // One table for everything a single word can start: a keyword, a keyword's plural, a phrase's first
    // word. One lookup per word of the text, and none for words longer or shorter than any entry.
    private readonly FrozenDictionary<string, Entry> _entries;
    private readonly FrozenDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly ulong[] _shapes = new ulong[ShapeBits / 64];
    private readonly int _count;
    private readonly string[] _domains;

    private KeywordMatcher(Dictionary<string, Hit> words, Dictionary<string, Phrase[]> phrases, string[] domains)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (word, hit) in words)
        {
            entries[word] = new Entry(hit, null);
        }

        // A plural: "apartments" finds "apartment". Short words are left alone ("bus" is not "bu").
        foreach (var (word, hit) in words)
        {
            if (word.Length >= 3)
            {
                entries.TryAdd(word + "s", new Entry(hit, null));
            }
        }

        foreach (var (head, list) in phrases)
        {
            entries[head] = entries.TryGetValue(head, out var entry) ? entry with { Phrases = list } : new Entry(null, list);
        }

        _entries = entries.ToFrozenDictionary(StringComparer.Ordinal);
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var key in entries.Keys)
        {
            var shape = ShapeOf(key);
            _shapes[shape >> 6] |= 1UL << shape;
        }

        _count = words.Count + phrases.Sum(static p => p.Value.Length);
        _domains = domains;
    }

    public static KeywordMatcher Empty { get; } = new([], [], []);

    /// <summary>How many distinct folded keywords and phrases the matcher knows.</summary>
    public int Count => _count;

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

        // Room for the text folded one to one plus one expansion; when folding lengthens it further ("ﬁ" is "fi",
        // U+FDFA is 18 characters), FoldAndFindCandidates rents more.
        var capacity = text.Length + TextFolding.MaxExpansion;
        char[]? rented = null;
        int[]? rentedWords = null;
        Span<char> chars = capacity <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(capacity));

        // Start and end of each word worth a lookup: at most one word every two characters.
        Span<int> bounds = capacity <= StackLimit
            ? stackalloc int[StackLimit + 2]
            : (rentedWords = ArrayPool<int>.Shared.Rent(chars.Length + 2));
        var buffers = new FoldBuffers(chars, bounds, rented, rentedWords);

        Span<int> scores = stackalloc int[_domains.Length];
        Span<int> firstAt = stackalloc int[_domains.Length];
        firstAt.Fill(int.MaxValue);
        string?[]? firstKeyword = null;
        string? onlyKeyword = null;
        var onlyDomain = -1;
        var position = 0;

        try
        {
            var wordBounds = FoldAndFindCandidates(text, ref buffers, out var length);

            // Only the folded copy is searched, so it need not line up with the text.
            var folded = buffers.Chars[..length];
            var words = buffers.Words;
            for (var w = 0; w < wordBounds; w += 2)
            {
                var start = words[w];
                var word = folded[start..words[w + 1]];
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
            buffers.Return();
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

    /// <summary>
    /// Folds <paramref name="text"/> into <paramref name="buffers"/>' characters and, in the same pass, writes the bounds
    /// of the words whose shape some entry has into its words (start, end, start, end, …).
    /// </summary>
    /// <remarks>
    /// Eight ASCII characters at a time where the hardware allows: each block yields a bit mask of its letters and
    /// digits, and word bounds are found in the mask (a trailing-zero count per bound) instead of character by character.
    /// A block with a non-ASCII character is folded one code point at a time; from there on the folded text may be
    /// longer or shorter than the text (<paramref name="length"/>), and positions are positions in the folded text.
    /// </remarks>
    /// <returns>How many bounds were written (twice the number of words).</returns>
    private int FoldAndFindCandidates(ReadOnlySpan<char> text, ref FoldBuffers buffers, out int length)
    {
        const int Block = 8;
        var count = 0;
        var start = -1;
        var i = 0;
        var at = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var source = MemoryMarshal.Cast<char, ushort>(text);
            var folded = buffers.Chars;
            var target = MemoryMarshal.Cast<char, ushort>(folded);
            var words = buffers.Words;
            while (i <= text.Length - Block)
            {
                if (!TextFolding.TryFoldAscii(Vector128.Create(source.Slice(i, Block)), out var block, out var kept))
                {
                    // Through a copy: these locals stay in registers for the ASCII blocks, as they would not if passed by ref.
                    var cursor = new Cursor(at, start, count);
                    i = FoldScalar(text, i, i + Block, ref buffers, ref cursor);
                    (at, start, count) = (cursor.At, cursor.Start, cursor.Count);
                    folded = buffers.Chars;
                    target = MemoryMarshal.Cast<char, ushort>(folded);
                    words = buffers.Words;
                    continue;
                }

                block.CopyTo(target[at..]);

                // Walk the bounds in the mask: inside a word look for the next space, outside for the next letter.
                var bit = 0;
                while (bit < Block)
                {
                    var next = (start < 0 ? kept : ~kept & 0xFFu) >> bit;
                    if (next == 0)
                    {
                        break;
                    }

                    bit += BitOperations.TrailingZeroCount(next);
                    if (start < 0)
                    {
                        start = at + bit;
                    }
                    else
                    {
                        count = KeepIfCandidate(folded, start, at + bit, words, count);
                        start = -1;
                    }
                }

                i += Block;
                at += Block;
            }
        }

        var tail = new Cursor(at, start, count);
        FoldScalar(text, i, text.Length, ref buffers, ref tail);
        length = tail.At;
        return tail.Start >= 0 ? KeepIfCandidate(buffers.Chars, tail.Start, tail.At, buffers.Words, tail.Count) : tail.Count;
    }

    /// <summary>
    /// Folds the code points from <paramref name="i"/> to <paramref name="end"/> one at a time, at the folded text's end,
    /// and opens or closes the words they start or end.
    /// </summary>
    /// <returns>
    /// Where the next code point starts: <paramref name="end"/>, or one past it when a surrogate pair straddles it; the
    /// text's end when the folded text would grow more than <see cref="MaxGrowth"/> longer than the text.
    /// </returns>
    private int FoldScalar(ReadOnlySpan<char> text, int i, int end, ref FoldBuffers buffers, ref Cursor cursor)
    {
        var (at, start, count) = (cursor.At, cursor.Start, cursor.Count);
        var folded = buffers.Chars;
        var words = buffers.Words;
        while (i < end)
        {
            var c = TextFolding.Fold(text[i]);
            int written;
            if (c < TextFolding.Removed)
            {
                folded[at] = c;
                written = 1;
                i++;
            }
            else if (c == TextFolding.Removed)
            {
                // A combining mark or a format character: gone, and the word it sat in goes on ("car\u00ADrière").
                i++;
                continue;
            }
            else
            {
                // Room for this expansion and the rest of the text one to one (what the ASCII blocks take for granted).
                // (The pool may rent more than asked: the bound is checked on the length, not on the buffer.)
                var needed = at + text.Length - i + TextFolding.MaxExpansion;
                var limit = text.Length + MaxGrowth + TextFolding.MaxExpansion;
                if (needed > limit)
                {
                    // Folded past the bound: the rest of the text is not searched, nor the word cut there.
                    i = text.Length;
                    start = -1;
                    break;
                }

                if (folded.Length < needed)
                {
                    buffers.Grow(Math.Min(Math.Max(folded.Length * 2, needed), limit), at, count);
                    folded = buffers.Chars;
                    words = buffers.Words;
                }

                written = TextFolding.Fold(text, i, folded[at..], out var consumed);
                i += consumed;
            }

            for (var k = at; k < at + written; k++)
            {
                if (folded[k] != ' ')
                {
                    if (start < 0)
                    {
                        start = k;
                    }
                }
                else if (start >= 0)
                {
                    count = KeepIfCandidate(folded, start, k, words, count);
                    start = -1;
                }
            }

            at += written;
        }

        cursor = new Cursor(at, start, count);
        return i;
    }

    private int KeepIfCandidate(ReadOnlySpan<char> folded, int start, int end, Span<int> words, int count)
    {
        var shape = ShapeOf(folded[start..end]);
        if ((_shapes[shape >> 6] & (1UL << shape)) != 0)
        {
            words[count++] = start;
            words[count++] = end;
        }

        return count;
    }

    private bool TryMatchAt(ReadOnlySpan<char> folded, int start, ReadOnlySpan<char> word, out Hit hit)
    {
        if (!_lookup.TryGetValue(word, out var entry))
        {
            hit = default;
            return false;
        }

        // A phrase beats the single word it starts with ("real estate" over "real").
        if (entry.Phrases is { } candidates)
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

        hit = entry.Word.GetValueOrDefault();
        return entry.Word.HasValue;
    }

    /// <summary>
    /// A word's length, first and last letter, folded into a bit of a small filter: most words of a message
    /// ("the", "and", "shoes") share no shape with any keyword, so they cost no dictionary lookup at all.
    /// </summary>
    private static int ShapeOf(ReadOnlySpan<char> word) =>
        (int)((((uint)Math.Min(word.Length, 31) * 961) + ((uint)word[0] * 31) + word[^1]) % ShapeBits);

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

    /// <summary>Where folding stands: the folded text's end, the start of the word being read (-1 between words), the bounds kept.</summary>
    private readonly record struct Cursor(int At, int Start, int Count);

    /// <summary>
    /// The folded text and its word bounds: on the stack for a short text, rented otherwise, and rented anew (twice as
    /// large) when folding lengthens the text beyond them.
    /// </summary>
    private ref struct FoldBuffers(Span<char> chars, Span<int> words, char[]? rentedChars, int[]? rentedWords)
    {
        private char[]? _rentedChars = rentedChars;
        private int[]? _rentedWords = rentedWords;

        public Span<char> Chars { get; private set; } = chars;

        /// <summary>At least two longer than <see cref="Chars"/>: a text of n characters has at most n + 1 word bounds.</summary>
        public Span<int> Words { get; private set; } = words;

        /// <summary>Makes room for <paramref name="length"/> characters, keeping the first <paramref name="keptChars"/> and <paramref name="keptWords"/>.</summary>
        public void Grow(int length, int keptChars, int keptWords)
        {
            var chars = ArrayPool<char>.Shared.Rent(length);
            var words = ArrayPool<int>.Shared.Rent(chars.Length + 2);
            Chars[..keptChars].CopyTo(chars);
            Words[..keptWords].CopyTo(words);
            Return();
            _rentedChars = chars;
            _rentedWords = words;
            Chars = chars;
            Words = words;
        }

        public void Return()
        {
            if (_rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(_rentedChars);
                _rentedChars = null;
            }

            if (_rentedWords is not null)
            {
                ArrayPool<int>.Shared.Return(_rentedWords);
                _rentedWords = null;
            }
        }
    }

    private readonly record struct Hit(int DomainIndex, string Keyword);

    /// <summary>What one word can be: a keyword (or its plural), the head of phrases, or both.</summary>
    private sealed record Entry(Hit? Word, Phrase[]? Phrases);

    private sealed record Phrase(string Rest, Hit Hit);
}
