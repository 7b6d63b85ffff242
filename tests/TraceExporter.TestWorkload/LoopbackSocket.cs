using System.Net;
using System.Net.Sockets;

namespace TraceExporter.TestWorkload;

/// <summary>Blocking IPv4 loopback TCP sockets; blocking calls run their syscalls on the calling thread.</summary>
internal static class LoopbackSocket
{
    public static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    public static Socket Listen(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = true };
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(128);
        return socket;
    }

    /// <summary>Reads until the peer shuts down its side and returns the number of bytes read.</summary>
    public static long ReadToEnd(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = socket.Receive(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    public static void SendExactly(Socket socket, long count)
    {
        var buffer = new byte[64 * 1024];
        buffer.AsSpan().Fill((byte)'x');
        var left = count;
        while (left > 0)
        {
            left -= socket.Send(buffer, 0, (int)Math.Min(left, buffer.Length), SocketFlags.None);
        }
    }
}
