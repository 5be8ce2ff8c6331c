using System.Net;
using System.Net.Sockets;

namespace Cutover.Testing;

/// <summary>A loopback port nothing listens on (bound, read, released): connecting to it is refused.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RefusingUrl() => $"http://127.0.0.1:{Next()}/down";
}
