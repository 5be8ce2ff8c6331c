using System.Net.Sockets;
using System.Text;
using Cutover.Testing;

namespace Cutover.EndToEnd.Tests.Fuzz;

/// <summary>
/// What the fuzz checker relies on: nothing that reaches the recording upstreams goes unseen. Raw bytes on one
/// connection, as a forward with an injected header would put them: the forward, a smuggled request behind it, then
/// a request Kestrel refuses.
/// </summary>
public sealed class RecordingUpstreamsTests : IAsyncLifetime
{
    private RecordingUpstreams _upstreams = null!;

    public async ValueTask InitializeAsync() => _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _upstreams.DisposeAsync();

    [Fact]
    public async Task RawConnection_ForwardSmuggledAndMalformed_EachRecordedAsReceived()
    {
        var cancel = TestContext.Current.CancellationToken;
        var port = new Uri(_upstreams.Address).Port;
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancel);
        var stream = client.GetStream();
        var bytes = Encoding.ASCII.GetBytes(
            "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Idempotency-Key: a\r\nX-Idempotency-Key: b\r\nContent-Length: 2\r\n\r\n{}"
            + "GET /smuggled?x=1 HTTP/1.1\r\nHost: evil\r\nX-Pad: \r\nContent-Length: 3\r\n\r\nabc"
            + "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken header line\r\n\r\n");
        await stream.WriteAsync(bytes, cancel);

        await Eventually.WaitAsync(() => _upstreams.BadRequests.Count > 0, TimeSpan.FromSeconds(30), "Kestrel to refuse the third request");
        var forward = Assert.Single(_upstreams.Requests);
        var stray = Assert.Single(_upstreams.Strays);
        Assert.Equal(("POST", "/jobs", "{}"), (forward.Method, forward.Path, Encoding.ASCII.GetString(forward.Body)));
        Assert.Equal(["a", "b"], forward.HeaderLines.Where(static h => h.Key == "X-Idempotency-Key").Select(static h => h.Value));
        Assert.Equal(("GET", "/smuggled?x=1", "evil", "abc", 404), (stray.Method, stray.Path, stray.Header("Host"), Encoding.ASCII.GetString(stray.Body), stray.Status));
        Assert.Equal(forward.ConnectionId, stray.ConnectionId);
        Assert.True(stray.Sequence > forward.Sequence);
        Assert.Equal(forward.ConnectionId, Assert.Single(_upstreams.BadRequests).Key);
    }
}
