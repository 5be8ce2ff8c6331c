using System.ComponentModel.DataAnnotations;

namespace Cutover.Server.Configuration;

/// <summary>
/// <see cref="RangeAttribute"/> with the message the docs print: <c>Cutover:Store:PollInterval: 00:00:00.0100000 is
/// outside 00:00:00.0500000..00:10:00</c>, the key and the value first (the framework's names neither the key nor the value).
/// Bounds that depend on another key (critical above warn) are in <see cref="CutoverOptionsRulesValidator"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ConfigRangeAttribute : RangeAttribute
{
    public ConfigRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public ConfigRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    /// <summary>A range of <paramref name="type"/> (<see cref="TimeSpan"/>, <see cref="long"/>) written as invariant text.</summary>
    public ConfigRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    /// <summary>Said in brackets after the range: why the bound is what it is.</summary>
    public string? Why { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value)
            ? ValidationResult.Success
            : ConfigKey.Problem(validationContext, $": {ConfigKey.Format(value)} is outside {ConfigKey.Format(Minimum)}..{ConfigKey.Format(Maximum)}"
                + (Why is null ? string.Empty : $" ({Why})"));
}
