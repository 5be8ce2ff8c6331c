using System.ComponentModel.DataAnnotations;

namespace Cutover.Server.Configuration;

/// <summary>An HTTP header name: an RFC 7230 token. Anything else is not a header an upstream could send.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class HeaderNameAttribute : ValidationAttribute
{
    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string { Length: > 0 } name && !name.AsSpan().ContainsAnyExcept(TokenCharacters)
            ? ValidationResult.Success
            : ConfigKey.Problem(validationContext, $": '{value}' is not an HTTP header name");
}
