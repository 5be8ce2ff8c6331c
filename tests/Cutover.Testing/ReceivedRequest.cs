namespace Cutover.Testing;

/// <summary>One request a test upstream received: which upstream, the exact bytes, the headers.</summary>
public sealed record ReceivedRequest(string Upstream, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
