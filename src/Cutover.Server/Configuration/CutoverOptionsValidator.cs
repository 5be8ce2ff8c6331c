using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>Runs <see cref="CutoverConfiguration.Validate"/> at start-up (ValidateOnStart).</summary>
internal sealed class CutoverOptionsValidator : IValidateOptions<CutoverOptions>
{
    public ValidateOptionsResult Validate(string? name, CutoverOptions options)
    {
        var errors = CutoverConfiguration.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
