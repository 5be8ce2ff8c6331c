using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cutover.Testing;

/// <summary>
/// An upstream that reads HTTP/1.1 off the socket itself, as a plain server framing by <c>Content-Length</c> would, and
/// records every request exactly as its bytes arrived: what a header that smuggles a second request or an extra header
/// would do to a real handler, Kestrel's own parsing would hide.
/// </summary>
public sealed class RawHttpUpstream : IAsyncDisposable
{
    private const int MaxHead = 1024 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<RawRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RawHttpUpstream()
    {
        _listener.Start();
        Address = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Address { get; }

    public IReadOnlyCollection<RawRequest> Requests => _requests;

    public string UrlOf(string name) => $"{Address}/{name}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                // The head: up to the first empty line.
                int end;
                while ((end = IndexOfEmptyLine(buffer)) < 0)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0 || buffer.Count > MaxHead)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read));
                }

                var head = Encoding.Latin1.GetString(buffer.GetRange(0, end).ToArray());
                buffer.RemoveRange(0, end + 4);
                var lines = head.Split("\r\n");
                var headers = lines.Skip(1).Select(static l =>
                {
                    var colon = l.IndexOf(':', StringComparison.Ordinal);
                    return colon < 0 ? (l, string.Empty) : (l[..colon], l[(colon + 1)..].Trim());
                }).ToList();

                // Framed as a plain server frames it: by the first Content-Length.
                var length = headers.Where(static h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(static h => int.TryParse(h.Item2, out var n) ? n : 0).FirstOrDefault();
                while (buffer.Count < length)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read));
                }

                var body = buffer.GetRange(0, length).ToArray();
                buffer.RemoveRange(0, length);
                _requests.Enqueue(new RawRequest(lines[0], headers, body));
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Handled-By: raw\r\n\r\n"u8.ToArray(), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private static int IndexOfEmptyLine(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One request as framed off the socket: its request line, every header line in order, its body.</summary>
    public sealed record RawRequest(string RequestLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
    {
        public IEnumerable<string> ValuesOf(string name) =>
            Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(static h => h.Value);
    }
}
