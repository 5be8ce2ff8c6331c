using Cutover.Server.Admin;

namespace Cutover.Server.Configuration;

/// <summary>One admin token: its name is the actor in the audit trail.</summary>
public sealed class AdminTokenOptions
{
    [ConfigRequired(Why = "the name is the actor recorded in the audit trail")]
    public string? Name { get; set; }

    /// <summary>The bearer secret (at least 16 characters). May be <c>env:NAME</c>.</summary>
    [Secret]
    [ConfigRequired(AllowEmptyStrings = true)]
    [ConfigMinLength(16)]
    public string? Token { get; set; }

    /// <summary><c>read</c> or <c>operate</c>.</summary>
    [ConfigRequired(Why = "a token's role is read or operate")]
    public AdminRole? Role { get; set; }
}
