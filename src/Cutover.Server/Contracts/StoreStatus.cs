namespace Cutover.Server.Contracts;

/// <summary>Which store the server uses.</summary>
public sealed record StoreStatus(string Provider, string Location);
