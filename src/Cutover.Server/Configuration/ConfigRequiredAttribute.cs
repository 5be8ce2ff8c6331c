using System.ComponentModel.DataAnnotations;

namespace Cutover.Server.Configuration;

/// <summary><see cref="RequiredAttribute"/> saying <c>Cutover:Upstreams:jobs:Url is missing: …</c>, key first.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ConfigRequiredAttribute : RequiredAttribute
{
    /// <summary>Said after the colon: what the key is for, or what to write.</summary>
    public string? Why { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value)
            ? ValidationResult.Success
            : ConfigKey.Problem(validationContext, " is missing" + (Why is null ? string.Empty : ": " + Why));
}
