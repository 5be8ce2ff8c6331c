using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// The annotations of one <c>Upstreams:&lt;name&gt;</c> entry. The generator walks lists but not maps, so each entry is
/// validated by name, with <see cref="ConfigKey.Entry"/>.
/// </summary>
[OptionsValidator]
internal sealed partial class UpstreamOptionsFieldValidator : IValidateOptions<UpstreamOptions>;
