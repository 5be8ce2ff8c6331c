namespace Cutover.Server.Contracts;

/// <summary>One identifier of a person, stored form; <c>asked</c> marks the one the request named.</summary>
public sealed record UserIdentifierView(string Identifier, DateTimeOffset? FirstSeen, bool Asked);
