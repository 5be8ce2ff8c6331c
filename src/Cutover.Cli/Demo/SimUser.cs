namespace Cutover.Cli.Demo;

/// <summary>A simulated WhatsApp user: their id, whether Meta hides their phone (username users), their service and language.</summary>
internal sealed record SimUser(string Key, bool UsernameOnly, string Domain, string Language)
{
    public int Step { get; set; }
}
