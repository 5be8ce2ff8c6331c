namespace Cutover.Server.Cluster;

/// <summary>One component failing to reach the store: since when, how often in a row, and what kind of failure.</summary>
internal sealed record StoreFailure(string Component, DateTimeOffset Since, DateTimeOffset LastAt, long Count, string Error);
