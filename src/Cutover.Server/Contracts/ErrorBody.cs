namespace Cutover.Server.Contracts;

/// <summary>Every error answer of the webhook and admin endpoints: a code for scripts and a sentence for people.</summary>
public sealed record ErrorBody(string Error, string Message, string? CorrelationId = null);
