namespace Cutover.Server.HotPath;

/// <summary>
/// A set of updates of one POST that go to one upstream: their indices into the parsed webhook, and
/// the bytes to send (the original body when the whole POST goes one way).
/// </summary>
internal sealed class ForwardPart(string upstream, string route, List<int> updates)
{
    public string Upstream { get; } = upstream;

    public string Route { get; } = route;

    public List<int> Updates { get; } = updates;

    public ReadOnlyMemory<byte> Body { get; set; }

    public string? Signature { get; set; }
}
