using Cutover.Core.Routing;

namespace Cutover.Core.Classification;

/// <summary>
/// Where a person's last inbound message went: its domain, route and upstream, and when (UTC ticks). The upstream that
/// received a message is the one that replied to it, so the statuses of the reply follow it (<see cref="ClassificationRule.Conversation"/>).
/// </summary>
public readonly record struct InboundRoute(string Domain, Route Route, string? Upstream, long AtTicks)
{
    public DateTimeOffset At => new(AtTicks, TimeSpan.Zero);
}
