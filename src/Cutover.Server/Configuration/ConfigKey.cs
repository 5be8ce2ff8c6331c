using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace Cutover.Server.Configuration;

/// <summary>
/// Keys in the <c>Cutover:Section:Key</c> form the docs use, and the values of a start-up problem as the docs print them.
/// Every problem of the configuration starts with its key.
/// </summary>
internal static class ConfigKey
{
    /// <summary>The name the validators are called with: a display name then starts where the key does.</summary>
    public const string Root = CutoverOptions.SectionName;

    /// <summary>
    /// The key of a member as the options validator generator names it. It appends <c>.Member</c> and <c>[index]</c> to
    /// the name it is called with: <c>Cutover.Rollout.Steps[1].Soak</c> is <c>Cutover:Rollout:Steps:1:Soak</c>. What is
    /// between brackets is copied as it is, so a map's key may hold a dot (<c>Cutover.Upstreams[api.v2].Url</c>).
    /// </summary>
    public static string FromDisplayName(string displayName)
    {
        var key = new StringBuilder(displayName.Length);
        var bracketed = false;
        foreach (var c in displayName)
        {
            switch (c)
            {
                case '[' when !bracketed:
                    bracketed = true;
                    key.Append(':');
                    break;
                case ']' when bracketed:
                    bracketed = false;
                    break;
                case '.' when !bracketed:
                    key.Append(':');
                    break;
                default:
                    key.Append(c);
                    break;
            }
        }

        return key.ToString();
    }

    /// <summary>The display name the generated validator gives an entry of a map validated by hand.</summary>
    public static string Entry(string map, string name) => $"{Root}.{map}[{name}]";

    /// <summary>The key a problem is about: what comes before its first space, without a trailing colon.</summary>
    public static string Of(string problem)
    {
        var end = problem.IndexOf(' ', StringComparison.Ordinal);
        var key = end < 0 ? problem : problem[..end];
        return key.TrimEnd(':');
    }

    /// <summary>A problem of the member being validated: its key, then <paramref name="what"/> (": 0 is outside …", " is missing").</summary>
    public static ValidationResult Problem(ValidationContext context, string what) =>
        new($"{FromDisplayName(context.DisplayName)}{what}");

    /// <summary>A value as the messages print it: durations as <c>hh:mm:ss</c> (<c>c</c>), numbers in the invariant culture.</summary>
    public static string Format(object? value) => value switch
    {
        null => string.Empty,
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
