namespace Cutover.Server.Configuration;

/// <summary><c>Memory:*</c>: the conversation memory that keeps "yes" in the domain of the message before it.</summary>
public sealed class MemoryOptions
{
    /// <summary>How long a user's last domain is remembered. Default 30 minutes.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Ttl { get; set; } = CutoverDefaults.MemoryTtl;

    /// <summary>
    /// How long after a person's last inbound message the statuses of the business's replies still go where that message
    /// went (rule <c>conversation</c>): the handler that received it is the one that replied. Default 24 hours, WhatsApp's
    /// customer-service window.
    /// </summary>
    [ConfigRange(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ConversationWindow { get; set; } = CutoverDefaults.MemoryConversationWindow;

    /// <summary>How long a shared entry is worth keeping: the longer of <see cref="Ttl"/> and <see cref="ConversationWindow"/>.</summary>
    internal TimeSpan Kept => Ttl > ConversationWindow ? Ttl : ConversationWindow;

    /// <summary>How many users (and, again, identifiers of persons) are remembered at most. Default 200,000.</summary>
    [ConfigRange(2, 10_000_000)]
    public int Capacity { get; set; } = CutoverDefaults.MemoryCapacity;

    /// <summary>
    /// Whether instances share the memory through the store: <c>auto</c> (default: shared on PostgreSQL, not on SQLite),
    /// <c>on</c> or <c>off</c>. Shared memory is written behind and read ahead every <see cref="SyncInterval"/>, never on
    /// the request path, so it is eventually consistent: a user who moves to another instance is recalled there once
    /// both instances have synced, that is after about this instance's <c>SyncInterval</c> plus the other's (1 s with
    /// the defaults). A message that arrives sooner is classified as if the user were new to that instance.
    /// </summary>
    public MemoryShareMode Share { get; set; } = CutoverDefaults.MemoryShare;

    /// <summary>How often shared memory is written to and read from the store. Default 500 ms.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.05", "00:01:00")]
    public TimeSpan SyncInterval { get; set; } = CutoverDefaults.MemorySyncInterval;

    /// <summary>
    /// How many remembered conversations may wait to be written to the store; beyond that they are not shared (and
    /// counted), the request never waits. Default 65,536.
    /// </summary>
    [ConfigRange(1, 10_000_000)]
    public int ShareQueueCapacity { get; set; } = CutoverDefaults.MemoryShareQueueCapacity;

    /// <summary>Whether <see cref="Share"/> turns sharing on for <paramref name="storeProvider"/>.</summary>
    public bool IsShared(StoreProvider storeProvider) => Share switch
    {
        MemoryShareMode.On => true,
        MemoryShareMode.Off => false,
        _ => storeProvider == StoreProvider.Postgres,
    };
}
