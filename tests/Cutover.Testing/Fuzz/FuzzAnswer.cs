namespace Cutover.Testing.Fuzz;

/// <summary>What Cutover answered one case: the status (0 when no answer came), its correlation id, the start of its body, or the client's error.</summary>
public sealed record FuzzAnswer(int Status, string? CorrelationId, string Body, string? Error = null)
{
    public override string ToString() =>
        Status == 0 ? $"no answer ({Error})" : $"{Status} X-Correlation-ID={CorrelationId ?? "(none)"} body={Body}";
}
