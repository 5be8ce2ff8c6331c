namespace Cutover.Server.Configuration;

/// <summary><c>Handlers:*</c>: how upstreams name the handler (agent) that took an update, and which must be seen.</summary>
public sealed class HandlersOptions
{
    /// <summary>The response header naming the handler. Default <c>X-Handled-By</c>.</summary>
    [HeaderName]
    public string Header { get; set; } = HotPath.HeaderNames.HandledBy;

    /// <summary>
    /// Handlers that must be seen in the health window (the runbooks' "all 8 agents"); empty skips the check. No name
    /// empty: the rules, which name each entry.
    /// </summary>
    public List<string> Expected { get; set; } = [];
}
