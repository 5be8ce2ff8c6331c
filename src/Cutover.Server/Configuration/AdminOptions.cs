namespace Cutover.Server.Configuration;

/// <summary><c>Admin:*</c>: who may read and change routing through <c>/admin</c>.</summary>
public sealed class AdminOptions
{
    /// <summary>Named bearer tokens. With none configured, the admin API answers only on loopback.</summary>
    public List<AdminTokenOptions> Tokens { get; set; } = [];
}
