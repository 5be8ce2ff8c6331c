namespace Cutover.Store;

/// <summary>
/// One user's last domain, shared between instances so a "yes" continues the conversation wherever it lands.
/// <see cref="UserKey"/> is protected (hashed unless raw keys are configured); <see cref="Sequence"/> orders writes
/// (0 when writing; the store assigns it). <see cref="Inbound"/> is where the person's last inbound message went, so the
/// statuses of the reply follow it on every instance; null when not known. <see cref="Domain"/> is empty when only the
/// inbound route is known (a message no rule classified).
/// </summary>
public sealed record ConversationEntry(
    string UserKey, string Domain, DateTimeOffset SeenAt, string Instance, long Sequence = 0, InboundEntry? Inbound = null);
