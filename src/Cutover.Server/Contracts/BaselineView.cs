namespace Cutover.Server.Contracts;

/// <summary>A captured baseline: legacy per domain (and in total) over <c>window</c>, before the migration.</summary>
public sealed record BaselineView(
    long Id, DateTimeOffset CapturedAt, string Window, string Actor, string Reason, IReadOnlyList<BaselineDomainView> Domains, BaselineDomainView Total);
