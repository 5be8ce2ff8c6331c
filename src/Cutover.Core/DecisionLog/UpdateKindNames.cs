using Cutover.Core.Webhooks;

namespace Cutover.Core.DecisionLog;

/// <summary>The names of <see cref="UpdateKind"/> as stored and shown.</summary>
public static class UpdateKindNames
{
    public static string ToName(this UpdateKind kind) => kind switch
    {
        UpdateKind.Message => "message",
        UpdateKind.Status => "status",
        UpdateKind.Change => "change",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
