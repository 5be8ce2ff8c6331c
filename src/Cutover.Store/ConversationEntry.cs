namespace Cutover.Store;

/// <summary>
/// One user's last domain, shared between instances so a "yes" continues the conversation wherever it lands.
/// <see cref="UserKey"/> is protected (hashed unless raw keys are configured); <see cref="Sequence"/> orders writes
/// (0 when writing; the store assigns it).
/// </summary>
public sealed record ConversationEntry(string UserKey, string Domain, DateTimeOffset SeenAt, string Instance, long Sequence = 0);
