using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// The rules of single keys, generated from the annotations on <see cref="CutoverOptions"/> and the section types it
/// marks <c>[ValidateObjectMembers]</c> (ranges, required keys, URLs, lengths). Called with the name
/// <see cref="ConfigKey.Root"/>, so that each problem starts with its key.
/// </summary>
[OptionsValidator]
internal sealed partial class CutoverOptionsFieldValidator : IValidateOptions<CutoverOptions>;
