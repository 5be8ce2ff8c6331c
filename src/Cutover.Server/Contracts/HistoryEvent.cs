using System.Text.Json;

namespace Cutover.Server.Contracts;

/// <summary>One audit event (<c>cutover history --json</c>): <c>at</c>, <c>kind</c>, <c>actor</c>, <c>reason</c>, <c>before</c>, <c>after</c>.</summary>
public sealed record HistoryEvent(long Id, DateTimeOffset At, string Kind, string Actor, string Reason, JsonElement? Before, JsonElement? After);
