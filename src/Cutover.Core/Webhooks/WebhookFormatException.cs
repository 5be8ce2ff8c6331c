namespace Cutover.Core.Webhooks;

/// <summary>
/// A body that is valid JSON but not a webhook envelope (an <c>entry</c> that is not an array, a
/// message that is not an object). Thrown inside the parser only; <see cref="WebhookParser.TryParse"/>
/// turns it into an error message.
/// </summary>
internal sealed class WebhookFormatException(string message) : Exception(message);
