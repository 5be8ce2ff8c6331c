namespace Cutover.Core.Classification;

/// <summary>The domain a text's keywords point to, and the first keyword of that domain found.</summary>
public readonly record struct KeywordMatch(string Domain, string Keyword);
