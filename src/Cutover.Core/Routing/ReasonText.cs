using System.Globalization;
using Cutover.Core.Text;

namespace Cutover.Core.Routing;

/// <summary>
/// The one rule for the reason an operator gives with a change (routing, overrides, rollout commands, rollbacks,
/// baselines): required where the caller says so, at most <see cref="MaxLength"/> characters after trimming, and
/// on one line: no character of <see cref="UnsafeText"/> anywhere. A reason is written to the audit trail, the
/// console log, notifications and terminals; unbounded or with escape sequences it could flood or forge any of them.
/// </summary>
public static class ReasonText
{
    /// <summary>The longest reason kept, in UTF-16 characters after trimming.</summary>
    public const int MaxLength = 1_000;

    /// <summary>
    /// Null when <paramref name="reason"/> is acceptable, else the problem. A missing or blank reason is refused
    /// with <paramref name="missing"/> as the message; with <paramref name="missing"/> null it is allowed (optional).
    /// </summary>
    public static ReasonProblem? Check(string? reason, string? missing)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return missing is null ? null : new ReasonProblem(ChangeError.ReasonRequired, missing);
        }

        // Checked before trimming: Trim() would quietly take a trailing CR or LF away, but the text as given is what
        // the caller meant, and a control character at either end is as wrong as one in the middle.
        var at = UnsafeText.IndexOfUnsafe(reason);
        if (at >= 0)
        {
            return new ReasonProblem(ChangeError.InvalidReason,
                $"the reason has {UnsafeText.Describe(reason[at])} at position {(at + 1).ToString(CultureInfo.InvariantCulture)}; "
                + "write it on one line without control characters");
        }

        var length = reason.AsSpan().Trim().Length;
        if (length > MaxLength)
        {
            return new ReasonProblem(ChangeError.InvalidReason,
                $"the reason is {length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is "
                + $"{MaxLength.ToString("N0", CultureInfo.InvariantCulture)}: say it shorter (details belong in a ticket or runbook it can name)");
        }

        return null;
    }

    /// <summary>
    /// Makes a reason Cutover wrote itself (an automatic rollback's check sentences, which quote handler names an
    /// upstream sent) pass <see cref="Check"/>: unsafe characters become spaces and the text is cut to fit, saying so.
    /// </summary>
    public static string Fit(string reason)
    {
        var text = reason.Trim();
        if (UnsafeText.IndexOfUnsafe(text) >= 0)
        {
            text = string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = UnsafeText.IsUnsafe(source[i]) ? ' ' : source[i];
                }
            }).Trim();
        }

        if (text.Length <= MaxLength)
        {
            return text.Length == 0 ? "(no reason given)" : text;
        }

        // Room for the note: " … (" + up to 10 digits + " characters cut)" is at most 30 characters.
        var keep = MaxLength - 30;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        var suffix = $" … ({(text.Length - keep).ToString(CultureInfo.InvariantCulture)} characters cut)";
        return text[..keep] + suffix;
    }
}
