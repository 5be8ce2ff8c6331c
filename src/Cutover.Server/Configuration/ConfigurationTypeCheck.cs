using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Cutover.Server.Configuration;

/// <summary>
/// Checks every value of a configuration section against the type of the option it binds to, before binding: numbers,
/// durations, booleans, and the names of a mode (<c>Rollout:Mode</c>: <c>manual</c> or <c>auto</c>).
/// </summary>
/// <remarks>
/// The binder stops at the first value it cannot convert, and inside a dictionary entry it drops the whole
/// entry instead (a <c>"TimeoutMs": "ten"</c> made the upstream vanish and start-up then complained that its
/// URL was missing). Walking the keys first reports every such value at once, each with its key, and tells the
/// caller which keys to leave out of binding. A key that matches no option is a problem too, named with the nearest
/// known key: a misspelt <c>GuardAfterComplete</c> would otherwise leave a safety setting at its default without a
/// word. The value of an option marked <see cref="SecretAttribute"/> is never repeated.
/// </remarks>
internal static class ConfigurationTypeCheck
{
    /// <summary>
    /// A value that does not fit its option: the key, the problem as start-up reports it, and whether the key itself is
    /// unknown (the caller then says where it came from).
    /// </summary>
    public readonly record struct Problem(string Key, string Message, bool UnknownKey = false);

    public static List<Problem> Check(IConfigurationSection section, Type type)
    {
        var problems = new List<Problem>();
        Walk(section, type, entriesSecret: false, problems);
        return problems;
    }

    private static void Walk(IConfigurationSection section, Type type, bool entriesSecret, List<Problem> problems)
    {
        foreach (var child in section.GetChildren())
        {
            var property = IsCollection(type) ? null : Property(type, child.Key);
            var childType = property?.PropertyType ?? EntryType(type, child.Key);
            if (childType is null)
            {
                if (!IsCollection(type))
                {
                    problems.Add(new(child.Path, Unknown(child, type), UnknownKey: true));
                }

                continue;
            }

            // An entry of a secret list (an admin token written as a single value) is as secret as the list.
            var secret = property is null ? entriesSecret : property.IsDefined(typeof(SecretAttribute));
            if (IsScalar(childType))
            {
                if (child.Value is { } value && !Converts(childType, value))
                {
                    problems.Add(new(child.Path, secret
                        ? $"{child.Path}: the value is not {Describe(childType)} (not shown: it is a secret)"
                        : $"{child.Path}: '{value}' is not {Describe(childType)}"));
                }
                else if (child.Value is null && child.GetChildren().Any())
                {
                    problems.Add(new(child.Path, $"{child.Path}: expected {Describe(childType)}, not an object or a list"));
                }
            }
            else if (!string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
            {
                // A single value where a list or a section belongs would otherwise bind to nothing, silently.
                var shape = childType.IsGenericType && childType.GetGenericTypeDefinition() == typeof(List<>) ? "a list" : "a section";
                problems.Add(new(child.Path, secret
                    ? $"{child.Path}: expected {shape}, not a single value (not shown: it is a secret)"
                    : $"{child.Path}: expected {shape} (such as [\"{child.Value}\"]), not the single value '{child.Value}'"));
            }
            else
            {
                Walk(child, childType, secret, problems);
            }
        }
    }

    /// <summary>"<c>Cutover:Rollout:GuardAfterCompelte</c>: not a known key; did you mean …?", or the keys known there.</summary>
    private static string Unknown(IConfigurationSection child, Type type)
    {
        var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.CanWrite || IsCollection(p.PropertyType))
            .Select(static p => p.Name)
            .ToList();
        return Unknown(child.Path, child.Key, known);
    }

    /// <summary>The problem of <paramref name="path"/>, whose last part <paramref name="key"/> is none of <paramref name="known"/>.</summary>
    public static string Unknown(string path, string key, IReadOnlyCollection<string> known)
    {
        var parent = path[..^key.Length];
        var nearest = known
            .Select(name => (Name: name, Distance: Distance(name.ToUpperInvariant(), key.ToUpperInvariant())))
            .OrderBy(static c => c.Distance)
            .FirstOrDefault();
        return nearest.Name is not null && nearest.Distance <= Math.Max(2, key.Length / 3)
            ? $"{path}: not a known key; did you mean {parent}{nearest.Name}?"
            : $"{path}: not a known key; the keys known here are {string.Join(", ", known.Order(StringComparer.Ordinal))}";
    }

    /// <summary>The Levenshtein distance: how many letters to insert, delete or change to turn one name into the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var change = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + change);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static bool IsCollection(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(List<>));

    /// <summary>The option a key names, found as the binder finds it (case ignored); null when none.</summary>
    private static PropertyInfo? Property(Type type, string key) =>
        type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    /// <summary>The type of a dictionary's value or of a list's item (for an index); null when the key is neither.</summary>
    private static Type? EntryType(Type type, string key)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return type.GetGenericArguments()[1];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? type.GetGenericArguments()[0] : null;
        }

        return null;
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(Uri);
    }

    private static bool Converts(Type type, string value)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string) || (value.Length == 0 && t != type))
        {
            return true;
        }

        try
        {
            // The type's own converter, as the binder uses it: for a mode, EnumNameConverter (its names, exactly).
            TypeDescriptor.GetConverter(t).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException
            || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) ? "a whole number"
            : t == typeof(decimal) || t == typeof(double) ? "a number"
            : t == typeof(bool) ? "true or false"
            : t == typeof(TimeSpan) ? "a duration such as 00:30:00 (hh:mm:ss)"
            : t.IsEnum ? "one of " + string.Join(", ", Names(t))
            : t == typeof(string) ? "a text value"
            : "a " + t.Name;
    }

    /// <summary>A mode's names as the configuration writes them (<c>manual, auto</c>), from the type's converter.</summary>
    private static IEnumerable<string?> Names(Type enumType)
    {
        var converter = TypeDescriptor.GetConverter(enumType);
        return (converter.GetStandardValues() ?? Array.Empty<object>()).Cast<object>().Select(converter.ConvertToInvariantString);
    }
}
