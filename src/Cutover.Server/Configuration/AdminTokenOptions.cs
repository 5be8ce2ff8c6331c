namespace Cutover.Server.Configuration;

/// <summary>One admin token: its name is the actor in the audit trail.</summary>
public sealed class AdminTokenOptions
{
    public string? Name { get; set; }

    /// <summary>The bearer secret (at least 16 characters). May be <c>env:NAME</c>.</summary>
    public string? Token { get; set; }

    /// <summary><c>read</c> or <c>operate</c>.</summary>
    public string? Role { get; set; }
}
