using System.ComponentModel.DataAnnotations;

namespace Cutover.Server.Configuration;

/// <summary>An absolute <c>http://</c> or <c>https://</c> URL, when set. (<see cref="UrlAttribute"/> also takes <c>ftp://</c>.)</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class HttpUrlAttribute : ValidationAttribute
{
    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || (value is string text && IsHttpUrl(text))
            ? ValidationResult.Success
            : ConfigKey.Problem(validationContext, $": '{value}' is not an absolute http:// or https:// URL");
}
