using System.Net;
using System.Net.Sockets;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>A loopback TCP port that was free a moment ago, for the daemon's web listener.</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
