namespace Cutover.Testing;

/// <summary>
/// One request a test upstream received: which upstream, the exact bytes, the headers. Beyond those, what the fuzz
/// checker needs to tell a well-formed forward from an injected or smuggled one: the method, path and protocol, every
/// header line as Kestrel parsed it (a repeated header stays repeated), the connection it came on, the order it
/// arrived in and what the upstream answered.
/// </summary>
public sealed record ReceivedRequest(string Upstream, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string Method { get; init; } = "POST";

    /// <summary>The request target exactly as received (not decoded, query included), e.g. <c>/unified</c>.</summary>
    public string Path { get; init; } = string.Empty;

    public string Protocol { get; init; } = string.Empty;

    /// <summary>Every header value separately, in the order Kestrel gives them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeaderLines { get; init; } = [];

    public string ConnectionId { get; init; } = string.Empty;

    /// <summary>Arrival order across all upstreams of one <see cref="RecordingUpstreams"/>, from 1.</summary>
    public long Sequence { get; init; }

    /// <summary>The status the upstream answered.</summary>
    public int Status { get; init; } = 200;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
