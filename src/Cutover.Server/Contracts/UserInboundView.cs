namespace Cutover.Server.Contracts;

/// <summary>
/// Where the person's last inbound message went, as this instance remembers it; <c>statuses_follow</c> says whether it
/// is still within <c>Memory:ConversationWindow</c>, so the statuses of the replies go there too.
/// </summary>
public sealed record UserInboundView(string Domain, string Route, string Upstream, DateTimeOffset At, bool StatusesFollow);
