using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace Cutover.Core.Text;

/// <summary>
/// Reads and writes an enum as its members' names in lower snake case (<c>StepBack</c> is <c>step_back</c>): the names
/// the configuration, the admin API and the docs use. Put on an enum with <c>[TypeConverter]</c>, it is what the
/// configuration binder converts with.
/// </summary>
/// <remarks>
/// Only those names are read, and exactly: the framework's <see cref="EnumConverter"/> would also take <c>Auto</c>,
/// <c>1</c> or <c>manual, auto</c>, and a config that says <c>"Mode": "1"</c> would then bind without a word.
/// </remarks>
public sealed class EnumNameConverter<TEnum> : TypeConverter
    where TEnum : struct, Enum
{
    private static readonly TEnum[] Values = Enum.GetValues<TEnum>();

    /// <summary>Every name, in the order the members are declared.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Values.Select(static v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()))];

    /// <summary>The name of <paramref name="value"/>; a value no member has is written as its number.</summary>
    public static string NameOf(TEnum value)
    {
        var index = Array.IndexOf(Values, value);
        return index >= 0 ? Names[index] : value.ToString();
    }

    /// <summary>The member named <paramref name="name"/>, compared exactly (ordinal, case included).</summary>
    public static bool TryParse(string? name, out TEnum value)
    {
        for (var i = 0; i < Values.Length; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                value = Values[i];
                return true;
            }
        }

        value = default;
        return false;
    }

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) => destinationType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string name && TryParse(name, out var parsed)
            ? parsed
            : throw new FormatException($"'{value}' is not one of {string.Join(", ", Names)}");

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is TEnum member ? NameOf(member) : base.ConvertTo(context, culture, value, destinationType);

    public override bool GetStandardValuesSupported(ITypeDescriptorContext? context) => true;

    public override bool GetStandardValuesExclusive(ITypeDescriptorContext? context) => true;

    public override StandardValuesCollection GetStandardValues(ITypeDescriptorContext? context) => new(Values);
}
