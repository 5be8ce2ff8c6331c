using System.ComponentModel.DataAnnotations;

namespace Cutover.Server.Configuration;

/// <summary>
/// <see cref="MinLengthAttribute"/> for text, naming the key and the length it needs but never the value: it guards
/// secrets (tokens, the hash key). A length of 1 says <c>is empty</c>. A missing value is <see cref="ConfigRequiredAttribute"/>'s.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ConfigMinLengthAttribute(int length) : MinLengthAttribute(length)
{
    /// <summary>Said after the colon: what the key is for.</summary>
    public string? Why { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value)
            ? ValidationResult.Success
            : ConfigKey.Problem(validationContext, (Length <= 1 ? " is empty" : $" is shorter than {Length} characters")
                + (Why is null ? string.Empty : ": " + Why));
}
