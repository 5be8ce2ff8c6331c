namespace Cutover.Store;

/// <summary>
/// Which dead letters to list (each filter applies when set), newest first, at most <see cref="Limit"/>: died at or after
/// <see cref="Since"/> and at or before <see cref="Until"/>, going to <see cref="Domain"/>, last tried at
/// <see cref="Upstream"/>, dead for <see cref="Reason"/>, on <see cref="Route"/> (<c>unified</c> or <c>legacy</c>).
/// </summary>
public sealed record DeadLetterQuery(
    int Limit = 100, DateTimeOffset? Since = null, string? Domain = null, string? Upstream = null, string? Reason = null, DateTimeOffset? Until = null,
    string? Route = null);
