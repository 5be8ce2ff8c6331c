using System.Text.Json;

namespace Cutover.Server.Tests.Support;

/// <summary>Reads <c>text/event-stream</c> blocks: the data of the next event of a name, within a time.</summary>
internal sealed class EventStreamReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public async Task<JsonElement> NextAsync(string name, TimeSpan timeout)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        string? eventName = null;
        string? data = null;
        while (await _reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (eventName == name && data is not null)
                {
                    return JsonDocument.Parse(data).RootElement.Clone();
                }

                (eventName, data) = (null, null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        throw new InvalidOperationException($"the event stream ended before a '{name}' event");
    }

    public void Dispose() => _reader.Dispose();
}
