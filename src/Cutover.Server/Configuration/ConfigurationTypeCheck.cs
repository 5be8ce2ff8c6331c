using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Cutover.Server.Configuration;

/// <summary>
/// Checks every value of a configuration section against the type of the option it binds to, before binding.
/// </summary>
/// <remarks>
/// The binder stops at the first value it cannot convert, and inside a dictionary entry it drops the whole
/// entry instead (a <c>"TimeoutMs": "ten"</c> made the upstream vanish and start-up then complained that its
/// URL was missing). Walking the keys first reports every such value at once, each with its key.
/// Keys that match no option are left alone: they may belong to a later version's settings.
/// </remarks>
internal static class ConfigurationTypeCheck
{
    public static List<string> Check(IConfigurationSection section, Type type)
    {
        var errors = new List<string>();
        Walk(section, type, errors);
        return errors;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            var childType = ChildType(type, child.Key);
            if (childType is null)
            {
                continue;
            }

            if (IsScalar(childType))
            {
                if (child.Value is { } value && !Converts(childType, value))
                {
                    errors.Add($"{child.Path}: '{value}' is not {Describe(childType)}");
                }
                else if (child.Value is null && child.GetChildren().Any())
                {
                    errors.Add($"{child.Path}: expected {Describe(childType)}, not an object or a list");
                }
            }
            else if (!string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
            {
                // A single value where a list or a section belongs would otherwise bind to nothing, silently.
                var shape = childType.IsGenericType && childType.GetGenericTypeDefinition() == typeof(List<>) ? "a list" : "a section";
                errors.Add($"{child.Path}: expected {shape} (such as [\"{child.Value}\"]), not the single value '{child.Value}'");
            }
            else
            {
                Walk(child, childType, errors);
            }
        }
    }

    /// <summary>The type a child key binds to: a dictionary's or list's element, or a property found by name; null when none.</summary>
    private static Type? ChildType(Type type, string key)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return type.GetGenericArguments()[1];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? type.GetGenericArguments()[0] : null;
        }

        return type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
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
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t))
            : t == typeof(string) ? "a text value"
            : "a " + t.Name;
    }
}
